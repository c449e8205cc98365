// SPDX-License-Identifier: MIT
/*
 * --shell: the user's terminal on a shell inside the guest. The guest's
 * virtio console (hvc0) is a unix socket we listen on, like the other
 * channels; once the guest says "HU-VM: shell" the host's terminal goes
 * raw and bytes are relayed both ways, while the lane goes on serving
 * QMP and host-side unplugs. Ctrl-] ends the session from the host side.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "shell.h"

#define ESCAPE	0x1d	/* Ctrl-] */

static struct termios saved;
static bool raw;

/**
 * vm_shell_restore - the terminal as it was (idempotent; at every exit)
 */
void vm_shell_restore(void)
{
	if (raw)
		tcsetattr(0, TCSAFLUSH, &saved);
	raw = false;
}

/**
 * vm_shell_term - what the guest's shell needs to know of this terminal
 * @rows: its lines (24 when stdin is not a terminal)
 * @cols: its columns (80 likewise)
 * @term: $TERM, or "vt220"
 */
void vm_shell_term(int *rows, int *cols, const char **term)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (!ioctl(0, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
	*term = getenv("TERM");
	if (!*term || !**term || strpbrk(*term, "\"'$`\\ "))
		*term = "vt220";
}

/**
 * vm_shell_start - hand the terminal to the guest's shell
 * @s: the shell channel (connected)
 */
void vm_shell_start(struct vm_shell *s)
{
	struct termios t;

	if (s->active)
		return;
	s->active = true;
	printf("[vm] shell: the guest's shell is on this terminal; "
	       "Ctrl-] stops the guest\n");
	fflush(stdout);
	if (!isatty(0) || tcgetattr(0, &saved))
		return;
	/*
	 * Not the terminal's foreground process group (e.g. under timeout(1)
	 * without --foreground): the terminal would stop us (SIGTTOU, SIGTTIN)
	 */
	if (tcgetpgrp(0) != getpgrp()) {
		printf("[vm] shell: not in the terminal's foreground (timeout "
		       "without --foreground?): the guest's output only\n");
		s->stdin_eof = true;
		return;
	}
	t = saved;
	cfmakeraw(&t);
	if (!tcsetattr(0, TCSAFLUSH, &t))
		raw = true;
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, 1000) <= 0)
				return -EAGAIN;
			continue;
		}
		if (w <= 0)
			return -errno;
		buf += w;
		n -= w;
	}
	return 0;
}

/**
 * vm_shell_from_guest - copy what the guest's shell wrote to stdout
 * @s: the shell channel
 *
 * Returns -1 at EOF (QEMU closed the port), else 0.
 */
int vm_shell_from_guest(struct vm_shell *s)
{
	char buf[4096];
	ssize_t n = read(s->chan.fd, buf, sizeof(buf));

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(s->chan.fd);
		s->chan.fd = -1;
		return -1;
	}
	if (n > 0)
		write_all(1, buf, n);
	return 0;
}

/**
 * vm_shell_pollfds - the shell's two poll entries: the guest side, stdin
 * @s: the shell channel
 * @p: the poll array
 * @np: its entries so far; two more after
 *
 * Returns the index of the first, for vm_shell_pump().
 */
int vm_shell_pollfds(const struct vm_shell *s, struct pollfd *p, int *np)
{
	int first = *np;

	p[(*np)++] = (struct pollfd){ .fd = s->chan.fd >= 0 ? s->chan.fd :
				      s->chan.lfd, .events = POLLIN };
	p[(*np)++] = (struct pollfd){ .fd = s->active && !s->stdin_eof ? 0 : -1,
				      .events = POLLIN };
	return first;
}

/**
 * vm_shell_pump - after poll(): accept the guest's side, copy both ways
 * @s: the shell channel
 * @p: its two poll entries (vm_shell_pollfds())
 *
 * Returns 1 when the user typed Ctrl-] (end the session), else 0.
 */
int vm_shell_pump(struct vm_shell *s, const struct pollfd *p)
{
	if (p[0].revents) {
		if (s->chan.fd < 0)
			vm_chan_accept(&s->chan);
		else
			vm_shell_from_guest(s);
	}
	return p[1].revents ? vm_shell_from_user(s) : 0;
}

/**
 * vm_shell_from_user - copy the user's keys to the guest's shell
 * @s: the shell channel
 *
 * Returns 1 when the user typed Ctrl-] (end the session), else 0.
 */
int vm_shell_from_user(struct vm_shell *s)
{
	char buf[1024];
	ssize_t n = read(0, buf, sizeof(buf));

	if (n <= 0) {
		s->stdin_eof = true;	/* stdin closed: no more keys */
		return 0;
	}
	if (memchr(buf, ESCAPE, n))
		return 1;
	if (s->chan.fd >= 0)
		write_all(s->chan.fd, buf, n);
	return 0;
}
