/* SPDX-License-Identifier: MIT */
/*
 * hu_vmhost: ask the VM lane's host (runner/hotunplug-vm) to unplug or
 * re-plug a virtual GPU from the QEMU side, from a test running in the guest.
 * Header only, so any guest program can use it without linking more.
 *
 * Protocol (docs/vm-lane.md): one request line on the virtio-serial port
 * named "hu.vmhost", one answer line back:
 *
 *	HU-EXTERNAL-REMOVE <id>  ->  HU-OK REMOVED <id>       (after QEMU's
 *	                                                      DEVICE_DELETED)
 *	HU-EXTERNAL-ADD <id>     ->  HU-OK ADDED <id> <port> <port-bdf>
 *	HU-PING                  ->  HU-PONG
 *	anything failing         ->  HU-ERR <id> <reason>    (e.g. QEMU refuses
 *	                              device_del for virtio-gpu-pci)
 *
 * <id> is the QOM id of the GPU (gpu0, gpu1, ...). /hu/ctl/vm-devices lists
 * the GPUs, one per line: "<id> <qemu-driver> <root-port> <port-bdf>
 * <present>"; hu_vmhost_id_for_card() maps a DRM card to its id through the
 * root port its PCI device sits under. The host answers a removal within
 * 30 s (pciehp waits 5 s after the attention button); a caller waits at
 * most timeout_ms, so neither side can wait forever. After a removal the
 * host re-adds on another root port: the card comes back under a new PCI
 * address and usually a new minor.
 *
 * Typical use in a subtest:
 *
 *	char id[32], why[256];
 *
 *	hu_require_f(hu_vmhost_id_for_card(card_minor, id, sizeof(id)) == 0,
 *		     "not in the VM lane or the GPU is not host-pluggable");
 *	... hold fds, mmaps, dma-bufs ...
 *	ret = hu_vmhost_remove(id, 60000, why, sizeof(why));
 *	hu_require_f(ret != -EOPNOTSUPP, "%s", why);	(QEMU refused)
 *	hu_assert_f(ret == 0, "%s", why);
 *	... check the held objects ...
 *	hu_assert_f(hu_vmhost_add(id, 30000, why, sizeof(why)) == 0, "%s", why);
 *	... wait (bounded) for a new /dev/dri/card*, reopen, check health ...
 */
#ifndef HU_VMHOST_H
#define HU_VMHOST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static inline int hu_vmhost_remove(const char *id, int timeout_ms,
				   char *reply, size_t len)
{
	return hu_vmhost_request("HU-EXTERNAL-REMOVE", id, timeout_ms, reply, len);
}

static inline int hu_vmhost_add(const char *id, int timeout_ms,
				char *reply, size_t len)
{
	return hu_vmhost_request("HU-EXTERNAL-ADD", id, timeout_ms, reply, len);
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
