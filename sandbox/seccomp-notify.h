/* SPDX-License-Identifier: Apache-2.0 */
/* Reporting refused syscalls (a profile's report_denied).  The workload
 * runs a variant of its filter in which every ERRNO answer is NOTIFY; the
 * listener fd goes to the monitor, which answers each notification with
 * the errno the plain filter would have returned (it runs the plain BPF
 * program on the notification's seccomp_data), so the workload sees no
 * difference, and counts what was refused.  */
#ifndef CORDON_SANDBOX_SECCOMP_NOTIFY_H
#define CORDON_SANDBOX_SECCOMP_NOTIFY_H

#include <linux/seccomp.h>
#include <stdint.h>

#include "sandbox/result.h"
#include "sandbox/seccomp.h"
#include "sandbox/spec.h"

/* Runs a seccomp BPF program on `data`, as the kernel would; returns the
 * SECCOMP_RET_* value (KILL_PROCESS for a malformed program).  */
uint32_t seccomp_bpf_run (const struct cordon_bpf *bpf, const struct seccomp_data *data);

/* Compiles `filter` with each ERRNO action (rules and default) turned into
 * NOTIFY, with SECCOMP_FILTER_FLAG_NEW_LISTENER.  Fails when the plain
 * program `plain` would refuse what handing over the listener takes
 * (sendmsg, close): the workload would wait forever on itself.  */
int seccomp_notify_compile (const struct cordon_seccomp *filter, const struct cordon_bpf *plain, struct cordon_bpf *out,
                            struct cordon_error *err);

/* Answers one pending notification on `listener` with the plain program's
 * errno and counts it in `result`.  Returns 0, or -errno when the listener
 * is unusable (the caller stops watching it).  */
/* Reads one notification: 1 with *req and a zeroed *resp (id set) to
 * free, 0 when there was none to read (the caller died, EINTR), -errno.  */
int seccomp_listener_receive (int listener, struct seccomp_notif **req, struct seccomp_notif_resp **resp);

int seccomp_notify_answer (int listener, const struct cordon_bpf *plain, struct sandbox_result *result);

#endif
