/* SPDX-License-Identifier: MIT */
/*
 * hu_vmhost: ask the VM lane's host (runner/hotunplug-vm) to unplug or
 * re-plug a virtual GPU from the QEMU side, from a test running in the guest.
 * Header only, so any guest program can use it without linking more.
 *
 * Protocol (docs/vm-lane.md): one request line on the virtio-serial port
 * named "hu.vmhost", one answer line back, as soon as QEMU answered:
 *
 *	HU-EXTERNAL-REMOVE <id>  ->  HU-OK REMOVING <id>   (device_del accepted:
 *	                             pciehp gets the attention button and
 *	                             removes the device about 5 s later)
 *	HU-EXTERNAL-ADD <id>     ->  HU-OK ADDED <new-id> <port> <port-bdf>
 *	HU-PING                  ->  HU-PONG
 *	failure                  ->  HU-ERR <id> <reason>; "refused: ..." when
 *	                             QEMU refuses (virtio-gpu-pci cannot be
 *	                             hot-unplugged in QEMU 7.2 or 11.1)
 *
 * <id> is the QOM id of the GPU (gpu0, gpu1, ...). /hu/ctl/vm-devices lists
 * the GPUs, one per line: "<id> <qemu-driver> <root-port> <port-bdf>
 * <present>"; hu_vmhost_id_for_card() maps a DRM card to its id through the
 * root port its PCI device sits under. A re-added GPU sits on another root
 * port, so it comes back under a new PCI address, and it may get a new id
 * (QEMU 7.2 keeps the old one): use the id hu_vmhost_add() returns.
 *
 * hu_vmhost_remove() waits for the kernel's "remove" uevent of the PCI
 * device and hu_vmhost_add() (optionally) for the new card's "add" uevent,
 * each bounded by timeout_ms; the host never waits on the guest, so neither
 * side can hang the other.
 *
 * Typical use in a subtest:
 *
 *	char id[32], why[256];
 *	int minor;
 *
 *	hu_require_f(hu_vmhost_id_for_card(card_minor, id, sizeof(id)) == 0,
 *		     "not in the VM lane or the GPU is not host-pluggable");
 *	... hold fds, mmaps, dma-bufs ...
 *	ret = hu_vmhost_remove(id, 30000, why, sizeof(why));
 *	hu_require_f(ret != -EOPNOTSUPP, "%s", why);	(QEMU refused)
 *	hu_assert_f(ret == 0, "%s", why);		(device gone in the guest)
 *	... check the held objects ...
 *	ret = hu_vmhost_add(id, 30000, id, sizeof(id), &minor, why, sizeof(why));
 *	hu_assert_f(ret == 0, "%s", why);		(new card is /dev/dri/card<minor>)
 */
#ifndef HU_VMHOST_H
#define HU_VMHOST_H

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
#include <time.h>
#include <unistd.h>

#define HU_VMHOST_PORT_NAME	"hu.vmhost"
#define HU_VMHOST_DEVICES	"/hu/ctl/vm-devices"

/* The request port's /dev node, or -ENOENT outside the VM lane. */
static inline int hu_vmhost_port(char *path, size_t len)
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

static inline long hu_vmhost__ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 +
	       (end->tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * Sends "VERB ID" and reads one answer line into reply. Returns 0 for
 * HU-OK/HU-PONG, -EOPNOTSUPP when QEMU refused, -EIO for another HU-ERR,
 * -ETIMEDOUT, -ENOENT outside the VM lane, or another -errno.
 */
static inline int hu_vmhost_request(const char *verb, const char *id,
				    int timeout_ms, char *reply, size_t len)
{
	char dev[PATH_MAX], line[256];
	struct timespec end;
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
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	snprintf(line, sizeof(line), "%s %s\n", verb, id ? id : "");
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		ret = errno ? -errno : -EIO;
		close(fd);
		return ret;
	}
	ret = -ETIMEDOUT;
	while (n + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = hu_vmhost__ms_left(&end);
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		r = read(fd, reply + n, 1);
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
static inline int hu_vmhost_uevent_open(void)
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
static inline int hu_vmhost_wait_uevent(int nl, const char *action,
					const char *prefix, const char *suffix,
					int timeout_ms, char *out, size_t len)
{
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct pollfd p = { .fd = nl, .events = POLLIN };
		long left = hu_vmhost__ms_left(&end);
		size_t al = strlen(action);
		char buf[8192];
		const char *path, *last;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
		n = recv(nl, buf, sizeof(buf) - 1, 0);
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
}

/* vm-devices entry of id: its root port's address. 0 or -ENOENT. */
static inline int hu_vmhost_port_of(const char *id, char *bdf, size_t len)
{
	char line[256];
	FILE *f = fopen(HU_VMHOST_DEVICES, "r");
	int ret = -ENOENT;

	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char i[32], drv[64], rp[16], b[32];
		int present;

		if (sscanf(line, "%31s %63s %15s %31s %d", i, drv, rp, b,
			   &present) == 5 && !strcmp(i, id)) {
			snprintf(bdf, len, "%s", b);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * Host-side removal of GPU id; returns once the guest kernel removed the
 * PCI device (its "remove" uevent), 0, or -EOPNOTSUPP (QEMU refused),
 * -ETIMEDOUT, -ENOENT (not in the VM lane), -EIO; reply gets the answer.
 */
static inline int hu_vmhost_remove(const char *id, int timeout_ms,
				   char *reply, size_t len)
{
	char port[32], prefix[96];
	int nl, ret;

	ret = hu_vmhost_port_of(id, port, sizeof(port));
	if (ret)
		return ret;
	/* the GPU is the device below its root port */
	snprintf(prefix, sizeof(prefix), "/devices/pci0000:00/%s/", port);
	nl = hu_vmhost_uevent_open();
	if (nl < 0)
		return -errno;
	ret = hu_vmhost_request("HU-EXTERNAL-REMOVE", id, timeout_ms, reply, len);
	if (!ret) {
		ret = hu_vmhost_wait_uevent(nl, "remove", prefix, "0000:",
					    timeout_ms, NULL, 0);
		if (ret && len)
			snprintf(reply, len, "no remove uevent below %s within %d ms",
				 port, timeout_ms);
	}
	close(nl);
	return ret;
}

/*
 * Host-side re-add of GPU id (on another root port). new_id gets the id
 * to use from now on. With minor set, also waits for the new DRM card's
 * "add" uevent and stores its minor.
 */
static inline int hu_vmhost_add(const char *id, int timeout_ms,
				char *new_id, size_t idlen, int *minor,
				char *reply, size_t len)
{
	char nid[32] = "", rp[16], port[32], prefix[96], path[512];
	int nl, ret;

	nl = hu_vmhost_uevent_open();
	if (nl < 0)
		return -errno;
	ret = hu_vmhost_request("HU-EXTERNAL-ADD", id, timeout_ms, reply, len);
	if (!ret && sscanf(reply, "HU-OK ADDED %31s %15s %31s", nid, rp, port) != 3)
		ret = -EIO;
	if (!ret && new_id)
		snprintf(new_id, idlen, "%s", nid);
	if (!ret && minor) {
		snprintf(prefix, sizeof(prefix), "/devices/pci0000:00/%s/", port);
		ret = hu_vmhost_wait_uevent(nl, "add", prefix, "card", timeout_ms,
					    path, sizeof(path));
		if (!ret && sscanf(strrchr(path, '/'), "/card%d", minor) != 1)
			ret = -EIO;
		if (ret && len)
			snprintf(reply, len, "no new card below %s within %d ms",
				 port, timeout_ms);
	}
	close(nl);
	return ret;
}

/*
 * The QOM id of the GPU behind /dev/dri/card<minor>: its PCI device's
 * parent is a root port whose address vm-devices names. 0 or -ENOENT.
 */
static inline int hu_vmhost_id_for_card(int minor, char *id, size_t len)
{
	char link[PATH_MAX], real[PATH_MAX], line[256];
	const char *port;
	char *slash;
	FILE *f;
	int ret = -ENOENT;

	snprintf(link, sizeof(link), "/sys/class/drm/card%d/device", minor);
	if (!realpath(link, real))
		return -ENOENT;
	/* .../0000:00:10.0/0000:01:00.0 (virtio-gpu: .../0000:01:00.0/virtio1) */
	if (strstr(strrchr(real, '/'), "virtio"))
		*strrchr(real, '/') = 0;
	slash = strrchr(real, '/');
	if (!slash)
		return -ENOENT;
	*slash = 0;
	port = strrchr(real, '/');
	if (!port)
		return -ENOENT;
	port++;
	f = fopen(HU_VMHOST_DEVICES, "r");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char i[32], drv[64], rp[16], bdf[32];
		int present;

		if (sscanf(line, "%31s %63s %15s %31s %d", i, drv, rp, bdf,
			   &present) == 5 && present && !strcmp(bdf, port)) {
			snprintf(id, len, "%s", i);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

#endif
