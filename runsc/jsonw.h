/* A small JSON writer whose output is byte for byte what Go's encoding/json
 * produces (json.Marshal, json.MarshalIndent, an Encoder with SetIndent):
 * clients and scripts compare runc's output textually, so `state`, `list`,
 * `events` and `features` must print exactly the same shapes.
 *
 *   struct jsonw w = JSONW_INIT("  ");   // "" for compact
 *   jw_obj_open(&w); jw_key(&w, "id"); jw_str(&w, id); jw_obj_close(&w);
 *   fwrite(w.buf, 1, w.len, stdout); jw_free(&w);
 *
 * Strings are escaped as Go does by default: ", \ and control characters,
 * and also <, >, & and U+2028/U+2029 (HTML-safe escaping). */
#ifndef RUNSC_JSONW_H
#define RUNSC_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONW_MAX_DEPTH 32

struct jsonw {
	char *buf;
	size_t len, cap;
	const char *indent;      /* "" for compact output */
	int depth;
	int count[JSONW_MAX_DEPTH]; /* items written at each open level */
	bool after_key;
};

#define JSONW_INIT(ind) { .indent = (ind) }

void jw_obj_open(struct jsonw *w);
void jw_obj_close(struct jsonw *w);
void jw_arr_open(struct jsonw *w);
void jw_arr_close(struct jsonw *w);
void jw_key(struct jsonw *w, const char *key);
void jw_str(struct jsonw *w, const char *s);
void jw_int(struct jsonw *w, int64_t v);
void jw_uint(struct jsonw *w, uint64_t v);
void jw_bool(struct jsonw *w, bool v);
void jw_null(struct jsonw *w);
/* Appends raw text outside the structure (a trailing "\n"). */
void jw_raw(struct jsonw *w, const char *s);
/* A value given as JSON text (a number as it was written), placed as any
 * other value. */
void jw_raw_value(struct jsonw *w, const char *s);
void jw_free(struct jsonw *w);

/* Go's time.Time.MarshalJSON in UTC: RFC 3339 with nanoseconds, trailing
 * zeros of the fraction dropped ("2024-01-02T03:04:05.12Z"). */
void format_rfc3339nano(int64_t unix_ns, char *buf, size_t len);

#endif
