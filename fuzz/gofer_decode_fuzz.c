/* libFuzzer target for the gofer protocol decoders (gofer/protocol.c): the
 * gofer decodes whatever a compromised sentry sends, and the sentry
 * whatever a compromised gofer answers, so neither decoder may crash, read
 * out of bounds or accept what its encoder would refuse.
 *
 * Besides memory safety (ASan, UBSan), it checks that the wire format is
 * canonical: every datagram a decoder accepts re-encodes to exactly the
 * same bytes. A decoder that let a malformed field through (a pad, a stray
 * byte, an unchecked length) breaks that.
 *
 * Built and run by `make fuzz` (clang -fsanitize=fuzzer); seeds come from
 * fuzz/gofer_seeds.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gofer/protocol.h"

static uint8_t out[GOFER_MSG_MAX];

static void check(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	static struct gofer_req req, again;

	if (gofer_req_decode(data, size, &req) < 0)
		return;
	ssize_t n = gofer_req_encode(&req, out, sizeof(out));
	check(n == (ssize_t)size);
	check(memcmp(out, data, size) == 0);
	check(gofer_req_decode(out, (size_t)n, &again) == 0);
	check(again.type == req.type && again.tag == req.tag);
}

static void fuzz_reply(const uint8_t *data, size_t size)
{
	static struct gofer_rep rep, again;
	static uint8_t copy[GOFER_MSG_MAX];

	if (gofer_rep_decode(data, size, &rep) < 0)
		return;
	/* Decoded replies point into their buffer: encode from a copy so
	 * that source and destination never overlap. */
	memcpy(copy, data, size);
	check(gofer_rep_decode(copy, size, &rep) == 0);
	ssize_t n = gofer_rep_encode(&rep, out, sizeof(out));
	check(n == (ssize_t)size);
	check(memcmp(out, data, size) == 0);
	check(gofer_rep_decode(out, (size_t)n, &again) == 0);
	check(again.type == rep.type && again.tag == rep.tag && again.error == rep.error);
}

/* READDIR entries on their own, as the client unpacks them. */
static void fuzz_dirents(const uint8_t *data, size_t size)
{
	struct gofer_dirent de;
	char name[GOFER_NAME_MAX + 1];
	size_t off = 0, prev;
	int ret;

	do {
		prev = off;
		ret = gofer_dirent_unpack(data, size, &off, &de, name);
		check(ret <= 0 || (off > prev && off <= size && strlen(name) == de.namelen));
	} while (ret > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > GOFER_MSG_MAX + 16)
		return 0;
	fuzz_request(data, size);
	fuzz_reply(data, size);
	fuzz_dirents(data, size);
	return 0;
}
