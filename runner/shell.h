/* SPDX-License-Identifier: MIT */
/* shell.c: --shell, the user's terminal on a shell in the guest (hvc0) */
#ifndef HU_VM_SHELL_H
#define HU_VM_SHELL_H

#include <stdbool.h>

#include "vm.h"

struct vm_shell {
	struct vm_chan chan;	/* hvc0; only lfd/fd are used (raw bytes) */
	bool active;		/* the guest said "HU-VM: shell" */
	bool stdin_eof;
};

void vm_shell_restore(void);
void vm_shell_term(int *rows, int *cols, const char **term);
void vm_shell_start(struct vm_shell *s);
int vm_shell_from_guest(struct vm_shell *s);
int vm_shell_from_user(struct vm_shell *s);
struct pollfd;
int vm_shell_pollfds(const struct vm_shell *s, struct pollfd *p, int *np);
int vm_shell_pump(struct vm_shell *s, const struct pollfd *p);

#endif
