/* SysV semaphores and message queues: the entry points of their syscalls
 * (syscalls/sys_ipc.c). Arguments are user addresses; results are as the
 * syscalls return them. Limits are Linux's defaults (kernel.sem,
 * kernel.msgmax, kernel.msgmnb, kernel.msgmni). */
#ifndef SENTRY_SYSV_H
#define SENTRY_SYSV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct task;

#define SEMMSL 32000          /* semaphores per array */
#define SEMMNS 1024000000     /* semaphores in the system */
#define SEMOPM 500            /* operations per semop */
#define SEMMNI 32000          /* arrays */
#define SEMVMX 32767          /* largest value */
#define SEMAEM SEMVMX         /* largest undo adjustment */
#define SEMUSZ 20             /* what IPC_INFO reports as sizeof(struct sem_undo) */

#define MSGMAX 8192           /* largest message */
#define MSGMNB 16384          /* default bytes per queue */
#define MSGMNI 32000          /* queues */

long sysv_semget(struct task *t, key_t key, int nsems, int flg);
/* utimeout: a struct timespec, 0 for semop(2). */
long sysv_semtimedop(struct task *t, int semid, uint64_t usops, size_t nsops, uint64_t utimeout);
long sysv_semctl(struct task *t, int semid, int semnum, int cmd, uint64_t arg);

long sysv_msgget(struct task *t, key_t key, int flg);
long sysv_msgsnd(struct task *t, int msqid, uint64_t umsgp, size_t msgsz, int flg);
long sysv_msgrcv(struct task *t, int msqid, uint64_t umsgp, size_t msgsz, long msgtyp, int flg);
long sysv_msgctl(struct task *t, int msqid, int cmd, uint64_t ubuf);

#endif
