// SPDX-License-Identifier: MIT
/*
 * What the VM lane knows about each kind of virtual GPU, in one table, and
 * the one place that turns a GPU into QEMU device properties (the -device
 * argument at boot and the QMP device_add of a host-side re-add).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "vm.h"

/*
 * host_unplug: QEMU 7.2 refuses device_del for virtio-gpu-pci ("does not
 * support hotplugging": the answer to the lane's HU-EXTERNAL-REMOVE,
 * docs/design.md's external trigger) and accepts it for bochs-display and
 * qxl (vmhost.c). cirrus-vga itself is not hot-pluggable (QEMU 7.2.22:
 * device_del answers "Device 'cirrus-vga' does not support hotplugging",
 * device_add "Parameter 'driver' expects a pluggable device type";
 * hw/display/cirrus_vga.c sets hotpluggable = false), but device_del of a
 * pcie-pci-bridge takes the devices behind it along (measured): cirrus sits
 * on its own bridge and leaves with it, and comes back at the next boot
 * (behind_bridge, docs/vm-lane.md). Only virtio devices need
 * iommu_platform=on to put their DMA behind the vIOMMU (QEMU's virtio-pci
 * property; the others are plain PCI devices that always are).
 */
static const struct vm_gpu_kind gpu_kinds[] = {
	{ .name = "virtio-gpu", .qdev = "virtio-gpu-pci", .module = "virtio_gpu",
	  .root_port = true, .host_unplug = false, .iommu_platform = true },
	{ .name = "bochs", .qdev = "bochs-display", .module = "bochs",
	  .root_port = true, .host_unplug = true },
	/*
	 * qboot never starts the kernel with a qxl device (no console output
	 * in three boots of 120 s; SeaBIOS boots it in about 10 s, QEMU 7.2)
	 */
	{ .name = "qxl", .qdev = "qxl", .module = "qxl",
	  .root_port = true, .host_unplug = true, .no_qboot = true },
	/* cirrus-qemu since 7.2, cirrus before: the guest tries both */
	{ .name = "cirrus", .qdev = "cirrus-vga", .module = "cirrus-qemu|cirrus",
	  .root_port = true, .host_unplug = true, .behind_bridge = true },
};

#define NKINDS (sizeof(gpu_kinds) / sizeof(gpu_kinds[0]))

const struct vm_gpu_kind *vm_gpu_kind(const char *name)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(name, gpu_kinds[i].name))
			return &gpu_kinds[i];
	return NULL;
}

/* "virtio-gpu, bochs, qxl, cirrus" for messages */
const char *vm_gpu_kind_names(void)
{
	static char names[128];

	if (!names[0])
		for (size_t i = 0; i < NKINDS; i++)
			vm_fmt(names + strlen(names), sizeof(names) - strlen(names),
			       "%s%s", i ? ", " : "", gpu_kinds[i].name);
	return names;
}

bool vm_gpu_on_bridge(const struct vm_gpu *g)
{
	return g->kind->behind_bridge && g->port >= 0;
}

/*
 * The QEMU properties of @g as device @id on root port @port (-1: pcie.0;
 * behind_bridge: slot 1 of the bridge brN there): driver, id, bus,
 * then what the kind needs under o->iommu. Returns how many were written
 * to @p (at most VM_GPU_MAX_PROPS).
 */
int vm_gpu_props(const struct vm_opts *o, const struct vm_gpu *g,
		 const char *id, int port, struct vm_prop *p)
{
	int n = 0;

	p[n++] = (struct vm_prop){ "driver", "", false };
	vm_fmt(p[0].val, sizeof(p[0].val), "%s", g->kind->qdev);
	p[n] = (struct vm_prop){ "id", "", false };
	vm_fmt(p[n++].val, sizeof(p[0].val), "%s", id);
	p[n] = (struct vm_prop){ "bus", "pcie.0", false };
	if (port >= 0)
		vm_fmt(p[n].val, sizeof(p[0].val), "%s%d",
		       g->kind->behind_bridge ? "br" : "rp", port);
	n++;
	/*
	 * QEMU 7.2 at boot: "Unsupported PCI slot 0 for standard hotplug
	 * controller. Valid slots are between 1 and 31." (the bridge's SHPC)
	 */
	if (port >= 0 && g->kind->behind_bridge)
		p[n++] = (struct vm_prop){ "addr", "1", false };
	if (g->kind->iommu_platform && o->iommu != VM_IOMMU_NONE) {
		p[n++] = (struct vm_prop){ "iommu_platform", "on", true };
		/* modern-only: the legacy virtio interface bypasses the IOMMU */
		p[n++] = (struct vm_prop){ "disable-legacy", "on", false };
	}
	return n;
}

/* -device's argument: "virtio-gpu-pci,id=gpu0,bus=rp0,..." */
void vm_gpu_device_arg(const struct vm_opts *o, const struct vm_gpu *g,
		       char *buf, size_t len)
{
	struct vm_prop p[VM_GPU_MAX_PROPS];
	int n = vm_gpu_props(o, g, g->id, g->port, p);

	vm_fmt(buf, len, "%s", p[0].val);
	for (int i = 1; i < n; i++)
		vm_fmt(buf + strlen(buf), len - strlen(buf), ",%s=%s",
		       p[i].key, p[i].val);
}

/*
 * The QMP device_add command of @g as @id on port @port. Booleans go as
 * JSON booleans: QMP checks types, unlike the command line.
 */
void vm_gpu_device_add(const struct vm_opts *o, const struct vm_gpu *g,
		       const char *id, int port, char *buf, size_t len)
{
	struct vm_prop p[VM_GPU_MAX_PROPS];
	int n = vm_gpu_props(o, g, id, port, p);
	struct json_object *cmd = json_object_new_object();
	struct json_object *args = json_object_new_object();

	for (int i = 0; i < n; i++)
		json_object_object_add(args, p[i].key, p[i].boolean ?
			json_object_new_boolean(!strcmp(p[i].val, "on")) :
			json_object_new_string(p[i].val));
	json_object_object_add(cmd, "execute", json_object_new_string("device_add"));
	json_object_object_add(cmd, "arguments", args);
	vm_fmt(buf, len, "%s", json_object_to_json_string_ext(cmd,
	       JSON_C_TO_STRING_PLAIN));
	json_object_put(cmd);
}
