/* SPDX-License-Identifier: MIT */
/*
 * hu_vmhost: ask the VM lane's host (runner/hotunplug-vm, its side in
 * runner/vmhost.c) to unplug or re-plug a virtual GPU from the QEMU side,
 * from a test running in the guest.
 *
 * Protocol (docs/vm-lane.md): one request line on the virtio-serial port
 * named "hu.vmhost", one answer line back, as soon as QEMU answered:
 *
 *	HU-EXTERNAL-REMOVE <id>  ->  HU-OK REMOVING <id>   (device_del accepted:
 *	                             pciehp gets the attention button and
 *	                             removes the device about 5 s later)
 *	HU-EXTERNAL-ADD <id>     ->  HU-OK ADDED <new-id> <port> <port-bdf>
 *	                             or HU-OK NEXT-BOOT <id>: QEMU cannot
 *	                             hot-add this kind (cirrus-vga, removed
 *	                             with its pcie-pci-bridge); the lane
 *	                             brings it back with its next boot
 *	HU-PING                  ->  HU-PONG
 *	failure                  ->  HU-ERR <id> <reason>; "refused: ..." when
 *	                             QEMU refuses (virtio-gpu-pci cannot be
 *	                             hot-unplugged in QEMU 7.2 or 11.1)
 *
 * <id> is the QOM id of the GPU (gpu0, gpu1, ...). /hu/ctl/vm-devices lists
 * the GPUs, one per line: "<id> <qemu-driver> <root-port> <port-bdf>
 * <present>"; hu_vmhost_id_for_card() maps a DRM card to its id through the
 * root port its PCI device sits under (directly, or behind a bridge). A
 * re-added GPU may sit on another root port, so it may come back under a
 * new PCI address, and it may get a new id: use the id hu_vmhost_add()
 * returns.
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

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#define HU_VMHOST_PORT_NAME	"hu.vmhost"
#define HU_VMHOST_DEVICES	"/hu/ctl/vm-devices"

/* One line of vm-devices. */
struct hu_vmhost_dev {
	char id[32];		/* QOM id: gpu0, gpu1, ... */
	char driver[64];	/* QEMU driver: virtio-gpu-pci, bochs-display, ... */
	char port[16];		/* root port rpN, "-": on pcie.0 */
	char port_bdf[32];	/* the root port's PCI address, "-" */
	bool present;
};

/*
 * The entry of the devices file @file (NULL: HU_VMHOST_DEVICES) with QOM id
 * @id, or else (id NULL) the present one under root port @port_bdf.
 * 0, or -ENOENT (no such entry, or not in the VM lane).
 */
int hu_vmhost_find(const char *file, const char *id, const char *port_bdf,
		   struct hu_vmhost_dev *dev);

/* The request port's /dev node, or -ENOENT outside the VM lane. */
int hu_vmhost_port(char *path, size_t len);

/*
 * Sends "VERB ID" and reads one answer line into reply. Returns 0 for
 * HU-OK/HU-PONG, -EOPNOTSUPP when QEMU refused, -EIO for another HU-ERR,
 * -ETIMEDOUT, -ENOENT outside the VM lane, or another -errno.
 */
int hu_vmhost_request(const char *verb, const char *id, int timeout_ms,
		      char *reply, size_t len);

/*
 * Host-side removal of GPU id; returns once the guest kernel removed the
 * PCI device (its "remove" uevent), 0, or -EOPNOTSUPP (QEMU refused),
 * -ETIMEDOUT, -ENOENT (not in the VM lane), -EIO; reply gets the answer.
 */
int hu_vmhost_remove(const char *id, int timeout_ms, char *reply, size_t len);

/* hu_vmhost_add(): the host brings the GPU back only with the next boot */
#define HU_VMHOST_NEXT_BOOT	(-ENOTRECOVERABLE)

/*
 * Host-side re-add of GPU id. new_id gets the id to use from now on. With
 * minor set, also waits for the new DRM card's "add" uevent and stores its
 * minor. HU_VMHOST_NEXT_BOOT: the host cannot add it in this boot (the
 * answer was HU-OK NEXT-BOOT).
 */
int hu_vmhost_add(const char *id, int timeout_ms, char *new_id, size_t idlen,
		  int *minor, char *reply, size_t len);

/*
 * The QOM id of the GPU behind /dev/dri/card<minor>: its PCI device's
 * parent is a root port whose address vm-devices names. 0 or -ENOENT.
 */
int hu_vmhost_id_for_card(int minor, char *id, size_t len);

/*
 * The QOM id of the GPU whose PCI function has the sysfs path @pci_path
 * (which need not exist any more: a removed device's recorded path works),
 * from the devices file @file (NULL: HU_VMHOST_DEVICES): the entry under
 * the path's root port that is @present, or else removed and not re-added
 * yet (the one to re-add). The id of a device is only ever derived from
 * where it sits, so a caller keeps no id that a re-add could leave stale.
 * 0 or -ENOENT.
 */
int hu_vmhost_id_for_pci(const char *file, const char *pci_path, bool present,
			 char *id, size_t len);

#endif
