/* Wait queues with callback entries (sentry/kernel.c) and the poll_table
 * redirection of task_wait_on (sentry/task.c), on the real kernel code:
 * tasks here are bare structs that are never run. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel.h"

static struct kernel k;

struct cb {
	struct wq_entry e;
	int calls;
	unsigned int last_key;
	int ret;
	struct wq_entry *del_other;       /* removed by this callback */
	struct waitqueue *add_to;         /* this callback queues add_entry there */
	struct wq_entry *add_entry;
	bool del_self;
};

static int cb_fn(struct wq_entry *e, unsigned int key)
{
	struct cb *c = container_of(e, struct cb, e);

	c->calls++;
	c->last_key = key;
	if (c->del_self)
		list_del(&e->link);
	if (c->del_other && list_linked(&c->del_other->link))
		list_del(&c->del_other->link);
	if (c->add_to)
		wq_add_entry(c->add_to, c->add_entry);
	return c->ret;
}

static void cb_init(struct cb *c, int ret, unsigned int flags)
{
	memset(c, 0, sizeof(*c));
	c->e.fn = cb_fn;
	c->e.flags = flags;
	c->ret = ret;
}

static struct task *new_task(void)
{
	struct task *t = calloc(1, sizeof(*t));

	list_init(&t->run_link);
	list_init(&t->wait_timer.link);
	t->state = TASK_BLOCKED;
	return t;
}

static void setup(void)
{
	memset(&k, 0, sizeof(k));
	kernel_init(&k);
	kernel = &k;
}

START_TEST(callback_persists_and_gets_key)
{
	struct waitqueue wq;
	struct cb a;

	setup();
	wq_init(&wq);
	cb_init(&a, 1, 0);
	wq_add_entry(&wq, &a.e);
	ck_assert(wq_has_waiters(&wq));
	wq_wake_key(&wq, 0x41);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_uint_eq(a.last_key, 0x41);
	ck_assert(wq_has_waiters(&wq));
	wq_wake_all(&wq);
	ck_assert_int_eq(a.calls, 2);
	ck_assert_uint_eq(a.last_key, 0);
	list_del(&a.e.link);
	ck_assert(!wq_has_waiters(&wq));
	wq_wake_all(&wq);
	ck_assert_int_eq(a.calls, 2);
}
END_TEST

START_TEST(tasks_are_woken_and_dequeued)
{
	struct waitqueue wq, other;
	struct cb a;
	struct task *t = new_task(), *u = new_task();

	setup();
	wq_init(&wq);
	wq_init(&other);
	cb_init(&a, 1, 0);
	task_wait_on(t, &wq);
	task_wait_on(t, &other);
	wq_add_entry(&wq, &a.e);
	task_wait_on(u, &wq);
	wq_wake_key(&wq, 1);
	ck_assert_int_eq(t->state, TASK_RUNNABLE);
	ck_assert_int_eq(u->state, TASK_RUNNABLE);
	ck_assert_int_eq(t->nwaits, 0);
	/* Waking one queue takes the task off all of them. */
	ck_assert(!wq_has_waiters(&other));
	ck_assert_int_eq(a.calls, 1);
	/* Only the callback entry stays. */
	ck_assert(wq.waiters.next == &a.e.link && wq.waiters.prev == &a.e.link);
	free(t);
	free(u);
}
END_TEST

START_TEST(exclusive_wakes_one)
{
	struct waitqueue wq;
	struct cb plain1, x1, x2, plain2;

	setup();
	wq_init(&wq);
	cb_init(&plain1, 0, 0);
	cb_init(&x1, 1, WQ_FLAG_EXCLUSIVE);
	cb_init(&x2, 1, WQ_FLAG_EXCLUSIVE);
	cb_init(&plain2, 0, 0);
	wq_add_entry(&wq, &plain1.e);
	wq_add_entry(&wq, &x1.e);
	wq_add_entry(&wq, &x2.e);
	wq_add_entry(&wq, &plain2.e);
	wq_wake_all(&wq);
	ck_assert_int_eq(plain1.calls, 1);
	ck_assert_int_eq(x1.calls, 1);
	ck_assert_int_eq(x2.calls, 0);
	ck_assert_int_eq(plain2.calls, 1);
	/* An exclusive entry that declines passes the wake on. */
	x1.ret = 0;
	wq_wake_all(&wq);
	ck_assert_int_eq(x1.calls, 2);
	ck_assert_int_eq(x2.calls, 1);
}
END_TEST

START_TEST(callbacks_may_edit_the_queue)
{
	struct waitqueue wq;
	struct cb a, b, c, late;

	setup();
	wq_init(&wq);
	cb_init(&a, 1, 0);
	cb_init(&b, 1, 0);
	cb_init(&c, 1, 0);
	cb_init(&late, 1, 0);
	a.del_self = true;
	a.del_other = &b.e;
	a.add_to = &wq;
	a.add_entry = &late.e;
	wq_add_entry(&wq, &a.e);
	wq_add_entry(&wq, &b.e);
	wq_add_entry(&wq, &c.e);
	wq_wake_all(&wq);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(b.calls, 0); /* removed before its turn */
	ck_assert_int_eq(c.calls, 1);
	ck_assert_int_eq(late.calls, 0); /* queued during the wake */
	ck_assert(!list_linked(&a.e.link));
	ck_assert(!list_linked(&b.e.link));
	a.add_to = NULL;
	wq_wake_all(&wq);
	ck_assert_int_eq(c.calls, 2);
	ck_assert_int_eq(late.calls, 1);
}
END_TEST

struct recorder {
	struct poll_table pt;
	struct waitqueue *seen[4];
	int n;
};

static void record(struct poll_table *pt, struct waitqueue *wq)
{
	struct recorder *r = container_of(pt, struct recorder, pt);

	r->seen[r->n++] = wq;
}

START_TEST(poll_table_redirects_task_wait_on)
{
	struct waitqueue wq;
	struct recorder r = { .pt.qproc = record };
	struct task *t = new_task();

	setup();
	wq_init(&wq);
	t->poll_table = &r.pt;
	task_wait_on(t, &wq);
	ck_assert_int_eq(r.n, 1);
	ck_assert(r.seen[0] == &wq);
	ck_assert_int_eq(t->nwaits, 0);
	ck_assert(!wq_has_waiters(&wq));
	t->poll_table = NULL;
	task_wait_on(t, &wq);
	ck_assert_int_eq(t->nwaits, 1);
	ck_assert(wq_has_waiters(&wq));
	free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("waitqueue");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, callback_persists_and_gets_key);
	tcase_add_test(tc, tasks_are_woken_and_dequeued);
	tcase_add_test(tc, exclusive_wakes_one);
	tcase_add_test(tc, callbacks_may_edit_the_queue);
	tcase_add_test(tc, poll_table_redirects_task_wait_on);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
