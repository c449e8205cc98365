// SPDX-License-Identifier: MIT
/*
 * Line channels from QEMU (serial ports, the request port, QMP). We listen
 * on a unix socket before QEMU starts and QEMU connects as a client, so no
 * byte of early boot output is lost and nothing waits on a connect race.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vm.h"

int vm_chan_listen(struct vm_chan *c, const char *name, const char *sock,
		   const char *logpath)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->fd = -1;
	c->log = -1;
	if (strlen(sock) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, sock);
	unlink(sock);
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->lfd < 0)
		return -errno;
	if (bind(c->lfd, (struct sockaddr *)&a, sizeof(a)) || listen(c->lfd, 1)) {
		int e = -errno;

		close(c->lfd);
		c->lfd = -1;
		return e;
	}
	if (logpath) {
		c->log = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (c->log < 0)
			return -errno;
	}
	return 0;
}

int vm_chan_accept(struct vm_chan *c)
{
	int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return -errno;
	close(c->lfd);
	c->lfd = -1;
	c->fd = fd;
	return 0;
}

static void keep_line(struct vm_chan *c, const char *line)
{
	unsigned int i = c->ntail % VM_TAIL_LINES;

	free(c->tail[i]);
	c->tail[i] = strdup(line);
	c->ntail++;
}

/* Printable text only: the console carries firmware escape sequences. */
static void clean(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (*s == '\033') {
			/* ESC [ params final-byte */
			if (s[1] == '[') {
				s += 2;
				while (*s && (*s < '@' || *s > '~'))
					s++;
				if (!*s)
					break;
			}
			continue;
		}
		if ((unsigned char)*s >= ' ' || *s == '\t')
			*d++ = *s;
	}
	*d = 0;
}

/*
 * Reads what is there; cb gets every complete line (cleaned). Returns 0,
 * or -1 at EOF/error (the connection is then closed).
 */
int vm_chan_read(struct vm_chan *c, vm_line_cb cb, void *data)
{
	char buf[4096];
	ssize_t n;

	if (c->fd < 0)
		return -1;
	for (;;) {
		n = read(c->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			break;
		c->last_rx = vm_now();
		if (c->log >= 0 && write(c->log, buf, n) != n)
			c->log = -1;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n' && c->len < sizeof(c->line) - 1) {
				c->line[c->len++] = buf[i];
				continue;
			}
			if (buf[i] != '\n')
				continue;	/* overlong line: cut */
			c->line[c->len] = 0;
			c->len = 0;
			clean(c->line);
			keep_line(c, c->line);
			if (cb)
				cb(data, c->line);
		}
	}
	close(c->fd);
	c->fd = -1;
	return -1;
}

int vm_chan_write(struct vm_chan *c, const char *s)
{
	size_t n = strlen(s), done = 0;
	double deadline = vm_now() + 2;

	while (c->fd >= 0 && done < n && vm_now() < deadline) {
		ssize_t w = write(c->fd, s + done, n - done);

		if (w > 0) {
			done += w;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = c->fd, .events = POLLOUT };

			poll(&p, 1, 100);
		} else if (!(w < 0 && errno == EINTR)) {
			break;
		}
	}
	return done == n ? 0 : -EIO;
}

/* Waits until the channel is readable (or accepted). 1 ready, 0 timeout. */
int vm_chan_wait(struct vm_chan *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->fd >= 0 ? c->fd : c->lfd, .events = POLLIN };
	int r;

	if (p.fd < 0)
		return -1;
	r = poll(&p, 1, timeout_ms);
	return r < 0 ? -errno : r;
}

void vm_chan_tail(const struct vm_chan *c, FILE *out, unsigned int max)
{
	unsigned int n = c->ntail < VM_TAIL_LINES ? c->ntail : VM_TAIL_LINES;

	if (n > max)
		n = max;
	for (unsigned int i = c->ntail - n; i < c->ntail; i++)
		fprintf(out, "%s\n", c->tail[i % VM_TAIL_LINES]);
}

void vm_chan_close(struct vm_chan *c)
{
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->fd >= 0)
		close(c->fd);
	if (c->log >= 0)
		close(c->log);
	c->lfd = c->fd = c->log = -1;
	for (int i = 0; i < VM_TAIL_LINES; i++) {
		free(c->tail[i]);
		c->tail[i] = NULL;
	}
	c->ntail = 0;
}
