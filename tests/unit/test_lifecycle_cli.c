/* The CLI side of the container lifecycle: Go-compatible JSON output,
 * runc's signal names, Go durations, container state files and their
 * locking, the standalone process-object parser used by exec. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runsc/jsonw.h"
#include "runsc/spec.h"
#include "runsc/state.h"
#include "runsc/util.h"
#include "runsc/verb.h"

static char *render(void (*fn)(struct jsonw *), const char *indent)
{
	struct jsonw w = JSONW_INIT(indent);
	fn(&w);
	return w.buf ? w.buf : xstrdup("");
}

static void doc_nested(struct jsonw *w)
{
	jw_obj_open(w);
	jw_key(w, "a");
	jw_int(w, -1);
	jw_key(w, "empty_obj");
	jw_obj_open(w);
	jw_obj_close(w);
	jw_key(w, "empty_arr");
	jw_arr_open(w);
	jw_arr_close(w);
	jw_key(w, "arr");
	jw_arr_open(w);
	jw_uint(w, 18446744073709551615ULL);
	jw_bool(w, true);
	jw_null(w);
	jw_arr_close(w);
	jw_key(w, "o");
	jw_obj_open(w);
	jw_key(w, "s");
	jw_str(w, "x");
	jw_obj_close(w);
	jw_obj_close(w);
}

START_TEST(jsonw_compact_like_json_marshal)
{
	_cleanup_free_ char *s = render(doc_nested, "");
	ck_assert_str_eq(s, "{\"a\":-1,\"empty_obj\":{},\"empty_arr\":[],"
			    "\"arr\":[18446744073709551615,true,null],\"o\":{\"s\":\"x\"}}");
}
END_TEST

START_TEST(jsonw_indented_like_marshal_indent)
{
	_cleanup_free_ char *s = render(doc_nested, "  ");
	ck_assert_str_eq(s, "{\n"
			    "  \"a\": -1,\n"
			    "  \"empty_obj\": {},\n"
			    "  \"empty_arr\": [],\n"
			    "  \"arr\": [\n"
			    "    18446744073709551615,\n"
			    "    true,\n"
			    "    null\n"
			    "  ],\n"
			    "  \"o\": {\n"
			    "    \"s\": \"x\"\n"
			    "  }\n"
			    "}");
}
END_TEST

static void doc_escapes(struct jsonw *w)
{
	jw_str(w, "q\" b\\ n\n t\t c\x01 <a&b> \xe2\x80\xa8 \xc3\xa9");
}

START_TEST(jsonw_escapes_like_go)
{
	_cleanup_free_ char *s = render(doc_escapes, "");
	/* Go escapes <, >, & and U+2028 by default; other UTF-8 stays. */
	ck_assert_str_eq(s, "\"q\\\" b\\\\ n\\n t\\t c\\u0001 \\u003ca\\u0026b\\u003e \\u2028 \xc3\xa9\"");
}
END_TEST

START_TEST(rfc3339nano_trims_zeros)
{
	char b[64];
	format_rfc3339nano(1700000000LL * 1000000000 + 120000000, b, sizeof(b));
	ck_assert_str_eq(b, "2023-11-14T22:13:20.12Z");
	format_rfc3339nano(1700000000LL * 1000000000, b, sizeof(b));
	ck_assert_str_eq(b, "2023-11-14T22:13:20Z");
	format_rfc3339nano(1700000000LL * 1000000000 + 1, b, sizeof(b));
	ck_assert_str_eq(b, "2023-11-14T22:13:20.000000001Z");
}
END_TEST

START_TEST(signal_names_as_runc)
{
	ck_assert_int_eq(signal_parse("9"), SIGKILL);
	ck_assert_int_eq(signal_parse("KILL"), SIGKILL);
	ck_assert_int_eq(signal_parse("sigterm"), SIGTERM);
	ck_assert_int_eq(signal_parse("SIGUSR1"), SIGUSR1);
	ck_assert_int_eq(signal_parse("hup"), SIGHUP);
	ck_assert_int_eq(signal_parse("0"), 0);
	ck_assert_int_eq(signal_parse("SIGNOPE"), -1);
	ck_assert_int_eq(signal_parse("65"), -1);
	ck_assert_int_eq(signal_parse(""), -1);
}
END_TEST

START_TEST(go_durations)
{
	int64_t ns;
	ck_assert_int_eq(parse_go_duration("5s", &ns), 0);
	ck_assert_int_eq(ns, 5000000000LL);
	ck_assert_int_eq(parse_go_duration("1.5s", &ns), 0);
	ck_assert_int_eq(ns, 1500000000LL);
	ck_assert_int_eq(parse_go_duration("300ms", &ns), 0);
	ck_assert_int_eq(ns, 300000000LL);
	ck_assert_int_eq(parse_go_duration("1m30s", &ns), 0);
	ck_assert_int_eq(ns, 90000000000LL);
	ck_assert_int_eq(parse_go_duration("10us", &ns), 0);
	ck_assert_int_eq(ns, 10000);
	ck_assert_int_eq(parse_go_duration("0", &ns), 0);
	ck_assert_int_eq(ns, 0);
	ck_assert_int_eq(parse_go_duration("", &ns), -EINVAL);
	ck_assert_int_eq(parse_go_duration("5", &ns), -EINVAL);
	ck_assert_int_eq(parse_go_duration("-1s", &ns), -EINVAL);
	ck_assert_int_eq(parse_go_duration("1e3s", &ns), -EINVAL);
	ck_assert_int_eq(parse_go_duration("s", &ns), -EINVAL);
	ck_assert_int_eq(parse_go_duration("5x", &ns), -EINVAL);
}
END_TEST

START_TEST(container_ids)
{
	ck_assert(container_id_valid("abc-1.2_3+x,y"));
	ck_assert(!container_id_valid(""));
	ck_assert(!container_id_valid("."));
	ck_assert(!container_id_valid(".."));
	ck_assert(!container_id_valid("a/b"));
	ck_assert(!container_id_valid("~new.x"));
}
END_TEST

static char *tmp_root(void)
{
	char tmpl[] = "/tmp/lifecycle-unit.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void rm_root(const char *root)
{
	_cleanup_free_ char *cmd = NULL;
	ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", root), 0);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(state_roundtrip_and_status)
{
	_cleanup_free_ char *root = tmp_root();
	struct container *c = NULL, *d = NULL;
	struct stat st;
	pid_t child;

	ck_assert_int_eq(container_create(root, "one", &c), 0);
	/* Not recorded yet: readers do not see it. */
	ck_assert_int_eq(container_open(root, "one", 0, false, &d), -ENOENT);
	ck_assert_int_eq(container_create(root, "one", &d), -EEXIST);

	/* A live process of ours stands for the monitor. */
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	c->oci_version = xstrdup("1.0.2");
	c->bundle = xstrdup("/b");
	c->rootfs = xstrdup("/b/rootfs");
	c->created_ns = 1;
	c->pid = child;
	ck_assert_int_eq(proc_stat(child, &c->pid_start, NULL), 0);
	c->n_annotations = 1;
	c->annotations = xzalloc(sizeof(*c->annotations));
	c->annotations[0].key = xstrdup("k");
	c->annotations[0].value = xstrdup("v<&>");
	ck_assert_int_eq(container_save(c), 0);
	ck_assert_int_eq(container_status(c), ST_CREATED);
	container_unlock(c);

	ck_assert_int_eq(container_open(root, "one", LOCK_SH, false, &d), 0);
	ck_assert_str_eq(d->bundle, "/b");
	ck_assert_int_eq(d->pid, child);
	ck_assert_uint_eq(d->pid_start, c->pid_start);
	ck_assert_uint_eq(d->n_annotations, 1);
	ck_assert_str_eq(d->annotations[0].value, "v<&>");
	ck_assert_int_eq(container_status(d), ST_CREATED);
	d->started = true;
	ck_assert_int_eq(container_status(d), ST_RUNNING);
	d->paused = true;
	ck_assert_int_eq(container_status(d), ST_PAUSED);
	ck_assert_int_eq(stat(d->dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	container_free(d);

	/* The monitor gone (even unreaped): stopped. */
	kill(child, SIGKILL);
	for (int i = 0; i < 100; i++) {
		char state = 0;
		if (proc_stat(child, NULL, &state) < 0 || state == 'Z')
			break;
		usleep(10000);
	}
	ck_assert_int_eq(container_status(c), ST_STOPPED);
	waitpid(child, NULL, 0);
	ck_assert_int_eq(container_status(c), ST_STOPPED);

	/* A pid reused by another process is not the container's: init's
	 * start time is not our child's. */
	c->pid = 1;
	ck_assert_int_eq(container_status(c), ST_STOPPED);

	ck_assert_int_eq(container_lock(c, LOCK_EX), 0);
	container_destroy(c);
	container_free(c);
	ck_assert_int_eq(container_open(root, "one", LOCK_SH, false, &d), -ENOENT);
	ck_assert_int_eq(rmdir(root), 0); /* empty: nothing left behind */
}
END_TEST

START_TEST(lock_waiter_sees_deleted_container)
{
	_cleanup_free_ char *root = tmp_root();
	struct container *c = NULL, *d = NULL;
	int pfd[2];
	pid_t child;
	char r;

	ck_assert_int_eq(container_create(root, "gone", &c), 0);
	c->oci_version = xstrdup("1");
	c->bundle = xstrdup("/b");
	c->rootfs = xstrdup("/r");
	ck_assert_int_eq(container_save(c), 0);
	ck_assert_int_eq(pipe(pfd), 0);
	child = fork();
	if (child == 0) {
		struct container *x = NULL;
		/* Blocks on the lock we hold, then finds the container gone. The
		 * inherited descriptor shares our lock: drop it. */
		close(c->lock_fd);
		close(pfd[0]);
		(void)!write(pfd[1], "s", 1);
		int rr = container_open(root, "gone", LOCK_EX, false, &x);
		_exit(rr == -ENOENT ? 0 : 1);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &r, 1), 1);
	usleep(100000);
	container_destroy(c);
	container_free(c);
	int status;
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(container_open(root, "gone", LOCK_SH, false, &d), -ENOENT);
	close(pfd[0]);
	rm_root(root);
}
END_TEST

START_TEST(process_object_parses_alone)
{
	const char *json = "{\"args\":[\"sh\",\"-c\",\"true\"],\"env\":[\"A=1\"],\"cwd\":\"/tmp\","
			   "\"user\":{\"uid\":5,\"gid\":6,\"additionalGids\":[7]},\"terminal\":false,"
			   "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":10,\"soft\":5}]}";
	struct spec_process *p = NULL;
	char *err = NULL;

	ck_assert_int_eq(spec_parse_process(json, strlen(json), "p.json", &p, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(p->n_args, 3);
	ck_assert_str_eq(p->cwd, "/tmp");
	ck_assert_uint_eq(p->user.uid, 5);
	ck_assert_uint_eq(p->user.additional_gids[0], 7);
	ck_assert_uint_eq(p->n_rlimits, 1);
	spec_process_free(p);

	const char *bad = "{\"args\":[],\"cwd\":\"/\"}";
	ck_assert_int_eq(spec_parse_process(bad, strlen(bad), "p.json", &p, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "p.json"));
	ck_assert_ptr_nonnull(strstr(err, "args"));
	free(err);
	const char *rel = "{\"args\":[\"x\"],\"cwd\":\"rel\"}";
	ck_assert_int_eq(spec_parse_process(rel, strlen(rel), "p.json", &p, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "absolute"));
	free(err);
	const char *broken = "{\"args\": [";
	ck_assert_int_eq(spec_parse_process(broken, strlen(broken), "p.json", &p, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "p.json: invalid JSON"));
	free(err);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lifecycle_cli");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, jsonw_compact_like_json_marshal);
	tcase_add_test(tc, jsonw_indented_like_marshal_indent);
	tcase_add_test(tc, jsonw_escapes_like_go);
	tcase_add_test(tc, rfc3339nano_trims_zeros);
	tcase_add_test(tc, signal_names_as_runc);
	tcase_add_test(tc, go_durations);
	tcase_add_test(tc, container_ids);
	tcase_add_test(tc, state_roundtrip_and_status);
	tcase_add_test(tc, lock_waiter_sees_deleted_container);
	tcase_add_test(tc, process_object_parses_alone);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
