/* execve: binary format selection (#! scripts, ELF) and the switch to the
 * new image. */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/loader.h"
#include "sentry/mm.h"
#include "sentry/signal.h"
#include "sentry/task_impl.h"
#include "sentry/timers.h"
#include "sentry/vfs.h"

#define BINPRM_BUF_SIZE 256
#define MAX_INTERP_DEPTH 4 /* BINPRM_MAX_RECURSION */

/* Parses "#!interp [arg]" (one optional argument, as Linux). */
static int parse_shebang(char *buf, size_t len, char **interp, char **arg)
{
	char *end = memchr(buf, '\n', len);
	if (!end) {
		if (len >= BINPRM_BUF_SIZE)
			return -ENOEXEC; /* Linux: an over-long line is refused */
		end = buf + len;
	}
	*end = 0;
	char *p = buf + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		char *e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		*arg = *p ? p : NULL;
	} else {
		*arg = NULL;
	}
	return 0;
}

static void reset_fpstate(struct platform_context *ctx)
{
	memset(ctx->fpstate, 0, ctx->fpstate_len);
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;
	memcpy(ctx->fpstate + 0, &fcw, sizeof(fcw));
	memcpy(ctx->fpstate + 24, &mxcsr, sizeof(mxcsr));
	if (ctx->fpstate_len > 512 + 8) {
		uint64_t xstate_bv = 0x3; /* x87 and SSE as given, the rest in init state */
		memcpy(ctx->fpstate + 512, &xstate_bv, sizeof(xstate_bv));
	}
	ctx->fp_valid = true;
	ctx->fp_dirty = true;
}

static int exec_open(struct task *t, const char *path, struct file **out)
{
	struct path p;
	int err = vfs_lookup(t, AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	struct stat st;
	err = vfs_stat_path(&p, &st);
	/* Only regular files on exec-allowed mounts run (EACCES otherwise). */
	if (!err && (!S_ISREG(st.st_mode) || (path_mnt_flags(&p) & MS_NOEXEC)))
		err = -EACCES;
	if (!err) {
		struct file *f;
		/* Exec permission, not read permission, as execve(2) wants. */
		err = vfs_open_path(t, &p, O_RDONLY | O_VFS_EXEC, &f);
		if (!err)
			*out = f;
	}
	path_put(&p);
	return err;
}

/* The program interpreter a dynamic executable names (ld.so): opened as
 * an executable is, and loaded beside it. */
static int load_interp(struct task *t, struct mm *mm, struct elf_info *info)
{
	struct file *f = NULL;
	int err = exec_open(t, info->interp, &f);
	if (err)
		return err;
	Elf64_Ehdr eh;
	int64_t pos = 0;
	ssize_t n = vfs_read(f, NULL, &eh, sizeof(eh), &pos);
	if (n < 0)
		err = (int)n;
	else if (elf_check_header(&eh, (size_t)n) < 0)
		err = -ELIBBAD; /* as Linux for an interpreter that is not ELF */
	else
		err = elf_load_interp(mm, f, &eh, info);
	file_put(f);
	return err;
}

static int exec_image(struct task *t, const char *path, char *const argv[], char *const envp[], int depth)
{
	struct file *f = NULL;
	int err = exec_open(t, path, &f);
	if (err)
		return err;
	char buf[BINPRM_BUF_SIZE];
	int64_t pos = 0;
	ssize_t n = vfs_read(f, NULL, buf, sizeof(buf), &pos);
	if (n < 0) {
		file_put(f);
		return (int)n;
	}
	if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
		file_put(f);
		if (depth >= MAX_INTERP_DEPTH)
			return -ELOOP;
		char *interp, *arg;
		err = parse_shebang(buf, (size_t)n, &interp, &arg);
		if (err)
			return err;
		int argc = 0;
		while (argv[argc])
			argc++;
		/* interp [arg] path argv[1..] */
		char **nargv = xzalloc(sizeof(char *) * (size_t)(argc + 3));
		int k = 0;
		nargv[k++] = interp;
		if (arg)
			nargv[k++] = arg;
		nargv[k++] = (char *)path;
		for (int i = 1; i < argc; i++)
			nargv[k++] = argv[i];
		err = exec_image(t, interp, nargv, envp, depth + 1);
		free(nargv);
		return err;
	}
	if (elf_check_header((Elf64_Ehdr *)buf, (size_t)n) < 0) {
		file_put(f);
		return -ENOEXEC;
	}
	Elf64_Ehdr eh;
	memcpy(&eh, buf, sizeof(eh));

	struct mm *mm;
	err = mm_new(&mm);
	if (err) {
		file_put(f);
		return err;
	}
	struct elf_info info = { 0 };
	err = elf_load(mm, f, &eh, &info);
	if (!err)
		mm->exe_file = file_get(f);
	file_put(f);
	if (!err && info.interp)
		err = load_interp(t, mm, &info);
	if (!err) {
		mm->brk_start = mm->brk = info.brk;
		mm->stack_limit = t->tg->rlim[RLIMIT_STACK].rlim_cur;
		struct stack_creds cr = { t->cred->uid, t->cred->euid, t->cred->gid, t->cred->egid };
		uint64_t sp;
		err = stack_setup(mm, &info, argv, envp, path, &cr, &sp);
		info.entry = err ? 0 : info.entry;
		if (!err) {
			/* Point of no return: swap in the new image. */
			task_de_thread(t);
			task_bank_cputime(t, false);
			if (t->ctx) {
				kernel->pops->ctx_release(t->ctx);
				t->ctx = NULL;
			}
			struct mm *oldmm = t->mm;
			t->mm = mm;
			if (oldmm)
				mm_put(oldmm);
			err = task_attach_context(t);
			if (err) {
				log_error("exec: no context for the new image: %s", strerror(-err));
				task_exit_group(t, W_EXITCODE(0, SIGSEGV));
				return -EBLOCKED; /* never seen: the task is gone */
			}
			struct user_regs_struct *r = &t->ctx->regs;
			unsigned long long cs = r->cs, ss = r->ss, ds = r->ds, es = r->es;
			memset(r, 0, sizeof(*r));
			r->cs = cs;
			r->ss = ss;
			r->ds = ds;
			r->es = es;
			r->rip = info.interp ? info.interp_entry : info.entry;
			r->rsp = sp;
			r->eflags = 0x202;
			r->orig_rax = (unsigned long long)-1;
			t->ctx->regs_dirty = true;
			reset_fpstate(t->ctx);
			free(info.interp);
			return 0;
		}
	}
	free(info.interp);
	mm_put(mm);
	return err;
}

int do_execve(struct task *t, const char *path, char *const argv[], char *const envp[])
{
	int err = exec_image(t, path, argv, envp, 0);
	if (err)
		return err;
	if (t->state == TASK_DEAD)
		return 0;
	/* The new image's process state (execve(2) "what is not preserved"). */
	if (t->files)
		fdtable_close_on_exec(t->files);
	if (t->sighand) {
		if (t->sighand->refcount > 1) {
			struct sighand *own = sighand_copy(t->sighand);
			sighand_put(t->sighand);
			t->sighand = own;
		}
		sighand_reset_for_exec(t->sighand);
	}
	t->altstack.ss_sp = NULL;
	t->altstack.ss_size = 0;
	t->altstack.ss_flags = SS_DISABLE;
	t->clear_child_tid = 0;
	t->robust_list = 0;
	/* POSIX timers go (exit_itimers); interval timers stay. */
	timers_exec(t->tg);
	/* pdeath_signal survives: Linux clears it only for set-id execs,
	 * which the sandbox does not have. */
	t->tg->nondumpable = false;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	memset(t->comm, 0, sizeof(t->comm));
	strncpy(t->comm, base, sizeof(t->comm) - 1);
	free(t->tg->exe_path);
	t->tg->exe_path = xstrdup(path);
	if (t->tg->vfork_waiter) {
		task_wake(t->tg->vfork_waiter);
		t->tg->vfork_waiter = NULL;
	}
	return 0;
}
