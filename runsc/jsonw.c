#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "runsc/jsonw.h"
#include "runsc/util.h"

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		w->cap = MAX(w->cap * 2, w->len + n + 64);
		w->buf = xrealloc(w->buf, w->cap);
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(struct jsonw *w, const char *s) { put(w, s, strlen(s)); }

static void newline(struct jsonw *w, int depth)
{
	put(w, "\n", 1);
	for (int i = 0; i < depth; i++)
		puts_(w, w->indent);
}

/* Separator and indentation before a value or key at the current level. */
static void before_item(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (w->count[w->depth - 1]++ > 0)
		put(w, ",", 1);
	if (*w->indent)
		newline(w, w->depth);
}

static void open_(struct jsonw *w, const char *c)
{
	before_item(w);
	puts_(w, c);
	if (w->depth < JSONW_MAX_DEPTH)
		w->count[w->depth] = 0;
	w->depth++;
}

static void close_(struct jsonw *w, const char *c)
{
	w->depth--;
	if (w->depth < JSONW_MAX_DEPTH && w->count[w->depth] > 0 && *w->indent)
		newline(w, w->depth);
	puts_(w, c);
}

void jw_obj_open(struct jsonw *w) { open_(w, "{"); }
void jw_obj_close(struct jsonw *w) { close_(w, "}"); }
void jw_arr_open(struct jsonw *w) { open_(w, "["); }
void jw_arr_close(struct jsonw *w) { close_(w, "]"); }

static void put_string(struct jsonw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	put(w, "\"", 1);
	for (; *p; p++) {
		char esc[8];

		switch (*p) {
		case '"':
			put(w, "\\\"", 2);
			continue;
		case '\\':
			put(w, "\\\\", 2);
			continue;
		case '\n':
			put(w, "\\n", 2);
			continue;
		case '\r':
			put(w, "\\r", 2);
			continue;
		case '\t':
			put(w, "\\t", 2);
			continue;
		}
		if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			put(w, esc, 6);
			continue;
		}
		/* U+2028 and U+2029 (E2 80 A8/A9) break JavaScript parsers. */
		if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			puts_(w, p[2] == 0xa8 ? "\\u2028" : "\\u2029");
			p += 2;
			continue;
		}
		put(w, (const char *)p, 1);
	}
	put(w, "\"", 1);
}

void jw_key(struct jsonw *w, const char *key)
{
	before_item(w);
	put_string(w, key);
	puts_(w, *w->indent ? ": " : ":");
	w->after_key = true;
}

void jw_str(struct jsonw *w, const char *s)
{
	before_item(w);
	put_string(w, s ? s : "");
}

void jw_int(struct jsonw *w, int64_t v)
{
	char b[32];

	before_item(w);
	snprintf(b, sizeof(b), "%" PRId64, v);
	puts_(w, b);
}

void jw_uint(struct jsonw *w, uint64_t v)
{
	char b[32];

	before_item(w);
	snprintf(b, sizeof(b), "%" PRIu64, v);
	puts_(w, b);
}

void jw_bool(struct jsonw *w, bool v)
{
	before_item(w);
	puts_(w, v ? "true" : "false");
}

void jw_null(struct jsonw *w)
{
	before_item(w);
	puts_(w, "null");
}

void jw_raw(struct jsonw *w, const char *s) { puts_(w, s); }

void jw_raw_value(struct jsonw *w, const char *s)
{
	before_item(w);
	puts_(w, s);
}

void jw_free(struct jsonw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

void format_rfc3339nano(int64_t unix_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(unix_ns / 1000000000);
	long nsec = (long)(unix_ns % 1000000000);
	char frac[16] = "";
	struct tm tm;
	size_t n;

	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	gmtime_r(&sec, &tm);
	if (nsec) {
		snprintf(frac, sizeof(frac), ".%09ld", nsec);
		for (n = strlen(frac); frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
	}
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, "%sZ", frac);
}
