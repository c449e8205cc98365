// SPDX-License-Identifier: MIT
/* hu_vmhost: the guest's client of the VM lane's host-side unplug. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hu_udev.h"
#include "hu_vmhost.h"

/* present: 1 or 0 to match that state, -1 for any */
static int find(const char *file, const char *id, const char *port_bdf,
		int present, struct hu_vmhost_dev *dev)
{
	char line[256];
	FILE *f = fopen(file ? file : HU_VMHOST_DEVICES, "r");
	int ret = -ENOENT;

	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		struct hu_vmhost_dev d;
		int p;

		if (sscanf(line, "%31s %63s %15s %31s %d", d.id, d.driver, d.port,
			   d.port_bdf, &p) != 5)
			continue;
		d.present = p;
		if ((!id || !strcmp(d.id, id)) &&
		    (!port_bdf || !strcmp(d.port_bdf, port_bdf)) &&
		    (present < 0 || d.present == (present > 0))) {
			*dev = d;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int hu_vmhost_find(const char *file, const char *id, const char *port_bdf,
		   struct hu_vmhost_dev *dev)
{
	if (id)
		return find(file, id, NULL, -1, dev);
	return port_bdf ? find(file, NULL, port_bdf, 1, dev) : -ENOENT;
}

int hu_vmhost_id_for_pci(const char *file, const char *pci_path, bool present,
			 char *id, size_t len)
{
	char port[64];
	struct hu_vmhost_dev d;
	const char *host, *rp, *end;

	/*
	 * .../pci0000:00/<root port>/<the GPU's PCI function>, or with a
	 * bridge between them (cirrus-vga): the root port is the component
	 * after the host bridge, and the GPU is below it
	 */
	host = pci_path ? strstr(pci_path, "/pci") : NULL;
	rp = host ? strchr(host + 1, '/') : NULL;
	end = rp ? strchr(rp + 1, '/') : NULL;
	/* on pcie.0 the GPU is that component itself: no entry names it */
	if (!end || !end[1] || end - rp - 1 >= (long)sizeof(port))
		return -ENOENT;
	snprintf(port, sizeof(port), "%.*s", (int)(end - rp - 1), rp + 1);
	if (find(file, NULL, port, present, &d))
		return -ENOENT;
	snprintf(id, len, "%s", d.id);
	return 0;
}

int hu_vmhost_port(char *path, size_t len)
{
	const char *base = "/sys/class/virtio-ports";
	struct dirent *de;
	DIR *d = opendir(base);
	int ret = -ENOENT;

	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		char p[PATH_MAX], name[64] = "";
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/name", base, de->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (!fgets(name, sizeof(name), f))
			name[0] = 0;
		fclose(f);
		name[strcspn(name, "\n")] = 0;
		if (!strcmp(name, HU_VMHOST_PORT_NAME)) {
			snprintf(path, len, "/dev/%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

/* Waits until fd is readable or @end (hu_now_ms) passed: 1, or 0 on timeout. */
static int wait_readable(int fd, long long end)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long long left = end - hu_now_ms();

	return left > 0 && poll(&p, 1, (int)left) > 0;
}

int hu_vmhost_request(const char *verb, const char *id, int timeout_ms,
		      char *reply, size_t len)
{
	char dev[PATH_MAX], line[256];
	long long end;
	size_t n = 0;
	int fd, ret;

	if (len)
		reply[0] = 0;
	ret = hu_vmhost_port(dev, sizeof(dev));
	if (ret)
		return ret;
	fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	end = hu_now_ms() + timeout_ms;
	snprintf(line, sizeof(line), "%s %s\n", verb, id ? id : "");
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		ret = errno ? -errno : -EIO;
		close(fd);
		return ret;
	}
	ret = -ETIMEDOUT;
	while (n + 1 < len && wait_readable(fd, end)) {
		ssize_t r = read(fd, reply + n, 1);

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			ret = -EIO;
			break;
		}
		if (reply[n] == '\n') {
			reply[n] = 0;
			if (!strncmp(reply, "HU-OK", 5) || !strncmp(reply, "HU-PONG", 7))
				ret = 0;
			else if (strstr(reply, " refused: "))
				ret = -EOPNOTSUPP;
			else
				ret = -EIO;
			break;
		}
		n++;
	}
	if (len)
		reply[n < len ? n : len - 1] = 0;
	close(fd);
	return ret;
}

/* Kernel uevents (the guest may have no udevd): netlink group 1. */
static int uevent_open(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Waits for a uevent "<action>@<devpath>" whose devpath starts with prefix
 * and, if suffix is set, whose last component starts with suffix. Copies
 * the devpath to out. 0, or -ETIMEDOUT.
 */
static int wait_uevent(int nl, const char *action, const char *prefix,
		       const char *suffix, int timeout_ms, char *out, size_t len)
{
	long long end = hu_now_ms() + timeout_ms;
	size_t al = strlen(action);

	while (wait_readable(nl, end)) {
		char buf[8192];
		const char *path, *last;
		ssize_t n = recv(nl, buf, sizeof(buf) - 1, 0);

		if (n <= 0)
			continue;
		buf[n] = 0;
		if (strncmp(buf, action, al) || buf[al] != '@')
			continue;
		path = buf + al + 1;
		last = strrchr(path, '/');
		if (strncmp(path, prefix, strlen(prefix)) || !last ||
		    (suffix && strncmp(last + 1, suffix, strlen(suffix))))
			continue;
		if (out)
			snprintf(out, len, "%s", path);
		return 0;
	}
	return -ETIMEDOUT;
}

int hu_vmhost_remove(const char *id, int timeout_ms, char *reply, size_t len)
{
	struct hu_vmhost_dev d;
	char prefix[96];
	int nl, ret;

	ret = hu_vmhost_find(NULL, id, NULL, &d);
	if (ret)
		return ret;
	/* the GPU is the device below its root port */
	snprintf(prefix, sizeof(prefix), "/devices/pci0000:00/%s/", d.port_bdf);
	nl = uevent_open();
	if (nl < 0)
		return -errno;
	ret = hu_vmhost_request("HU-EXTERNAL-REMOVE", id, timeout_ms, reply, len);
	if (!ret) {
		ret = wait_uevent(nl, "remove", prefix, "0000:", timeout_ms, NULL, 0);
		if (ret && len)
			snprintf(reply, len, "no remove uevent below %s within %d ms",
				 d.port_bdf, timeout_ms);
	}
	close(nl);
	return ret;
}

int hu_vmhost_add(const char *id, int timeout_ms, char *new_id, size_t idlen,
		  int *minor, char *reply, size_t len)
{
	char nid[32] = "", rp[16], port[32], prefix[96], path[512];
	int nl, ret;

	nl = uevent_open();
	if (nl < 0)
		return -errno;
	ret = hu_vmhost_request("HU-EXTERNAL-ADD", id, timeout_ms, reply, len);
	if (!ret && !strncmp(reply, "HU-OK NEXT-BOOT ", 16))
		ret = HU_VMHOST_NEXT_BOOT;
	else if (!ret && sscanf(reply, "HU-OK ADDED %31s %15s %31s", nid, rp,
				port) != 3)
		ret = -EIO;
	if (!ret && new_id)
		snprintf(new_id, idlen, "%s", nid);
	if (!ret && minor) {
		snprintf(prefix, sizeof(prefix), "/devices/pci0000:00/%s/", port);
		ret = wait_uevent(nl, "add", prefix, "card", timeout_ms, path,
				  sizeof(path));
		if (!ret && sscanf(strrchr(path, '/'), "/card%d", minor) != 1)
			ret = -EIO;
		if (ret && len)
			snprintf(reply, len, "no new card below %s within %d ms",
				 port, timeout_ms);
	}
	close(nl);
	return ret;
}

int hu_vmhost_id_for_card(int minor, char *id, size_t len)
{
	char link[PATH_MAX], real[PATH_MAX];

	snprintf(link, sizeof(link), "/sys/class/drm/card%d/device", minor);
	if (!realpath(link, real))
		return -ENOENT;
	/* virtio-gpu: .../0000:01:00.0/virtio1, the PCI function is above */
	if (strstr(strrchr(real, '/'), "virtio"))
		*strrchr(real, '/') = 0;
	return hu_vmhost_id_for_pci(NULL, real, true, id, len);
}
