#!/bin/sh
# Run by the execve conformance test through its #! line.
echo "shebang:$#:$1"
