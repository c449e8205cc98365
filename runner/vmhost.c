// SPDX-License-Identifier: MIT
/*
 * Host side of the guest's requests for host-driven unplug (protocol in
 * lib/hu_vmhost.h and docs/vm-lane.md). The guest writes one request
 * line on the virtio-serial port "hu.vmhost" and reads one answer line; we
 * answer as soon as QEMU has answered the QMP command, and never wait on
 * the guest. The removal itself is the guest's to observe (pciehp gets
 * the attention button and removes the device 5 s later).
 *
 * QEMU 7.2 accepts device_del for bochs-display and qxl but often never
 * finalizes the device (no DEVICE_DELETED): its id and root port stay
 * taken. So a re-add goes to a port nobody used yet (or whose device QEMU
 * did delete) and gets a new id unless the old one was freed.
 */
#include <stdio.h>
#include <string.h>

#include "vm.h"

void vm_host_init(struct vm_host *h, struct vm_opts *o, struct vm_qmp *q,
		  struct vm_chan *req, const char *ctl)
{
	memset(h, 0, sizeof(*h));
	h->o = o;
	h->qmp = q;
	h->req = req;
	vm_fmt(h->devfile, sizeof(h->devfile), "%s/vm-devices", ctl);
}

/* ctl/vm-devices: "<id> <qemu-driver> <port> <port-bdf> <present>" */
int vm_host_write_devices(const struct vm_host *h)
{
	char text[4096] = "", line[160], bdf[32];

	for (int i = 0; i < h->o->ngpus; i++) {
		const struct vm_gpu *g = &h->o->gpus[i];
		char port[16] = "-";

		if (g->retired)
			continue;
		if (g->port >= 0)
			snprintf(port, sizeof(port), "rp%d", g->port);
		vm_port_bdf(g->port, bdf, sizeof(bdf));
		snprintf(line, sizeof(line), "%s %s %s %s %d\n", g->id, g->qdev,
			 port, bdf, g->present);
		strncat(text, line, sizeof(text) - strlen(text) - 1);
	}
	return vm_write_file(h->devfile, text);
}

static struct vm_gpu *find_gpu(struct vm_host *h, const char *id)
{
	for (int i = 0; i < h->o->ngpus; i++)
		if (!h->o->gpus[i].retired && !strcmp(h->o->gpus[i].id, id))
			return &h->o->gpus[i];
	return NULL;
}

static void answer(struct vm_host *h, const char *fmt, const char *id,
		   const char *detail)
{
	char buf[512];

	snprintf(buf, sizeof(buf), fmt, id, detail);
	vm_msg("vmhost: -> %s", buf);
	strncat(buf, "\n", sizeof(buf) - strlen(buf) - 1);
	vm_chan_write(h->req, buf);
}

static void do_remove(struct vm_host *h, const char *id)
{
	struct vm_gpu *g = find_gpu(h, id);
	char cmd[256], reply[1024], desc[256] = "";

	if (!g || !g->present) {
		answer(h, "HU-ERR %s %s", id, g ? "not present" : "no such device");
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"%s\"}}", id);
	switch (vm_qmp_cmd(h->qmp, cmd, reply, sizeof(reply), 5000)) {
	case 0:
		break;
	case 1:
		/* e.g. virtio-gpu-pci: "does not support hotplugging" */
		vm_json_str(reply, "desc", desc, sizeof(desc));
		h->refused++;
		answer(h, "HU-ERR %s refused: %s", id, desc);
		return;
	default:
		answer(h, "HU-ERR %s %s", id, "no answer from QMP");
		return;
	}
	g->present = false;
	h->removed++;
	vm_host_write_devices(h);
	answer(h, "HU-OK REMOVING %s%s", id, "");
}

/* A root port without a device QEMU still holds. */
static int free_port(struct vm_host *h)
{
	bool used[VM_MAX_PORTS] = { false };

	for (int i = 0; i < h->o->ngpus; i++) {
		const struct vm_gpu *g = &h->o->gpus[i];

		if (g->port >= 0 && !g->deleted)
			used[g->port] = true;
	}
	for (int p = 0; p < VM_MAX_PORTS; p++)
		if (!used[p])
			return p;
	return -1;
}

static void do_add(struct vm_host *h, const char *id)
{
	struct vm_gpu *g = find_gpu(h, id), *n;
	char cmd[512], reply[1024], desc[256] = "", rest[64], bdf[32];
	int p;

	if (!g || g->present || g->port < 0) {
		answer(h, "HU-ERR %s %s", id, !g ? "no such device" :
		       g->present ? "still present" : "not on a root port");
		return;
	}
	p = free_port(h);
	if (p < 0 || (!g->deleted && h->o->ngpus == VM_MAX_GPUS)) {
		answer(h, "HU-ERR %s %s", id, "no free root port left in this boot");
		return;
	}
	n = g;
	if (!g->deleted) {
		/* QEMU still holds the old one: a new entry with a new id */
		n = &h->o->gpus[h->o->ngpus];
		*n = *g;
		snprintf(n->id, sizeof(n->id), "gpu%d", h->o->ngpus);
	}
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"%s\","
		 "\"id\":\"%s\",\"bus\":\"rp%d\"%s}}", n->qdev, n->id, p,
		 !strcmp(n->kind, "virtio-gpu") && h->o->iommu != VM_IOMMU_NONE ?
		 ",\"iommu_platform\":true,\"disable-legacy\":\"on\"" : "");
	switch (vm_qmp_cmd(h->qmp, cmd, reply, sizeof(reply), 5000)) {
	case 0:
		break;
	case 1:
		vm_json_str(reply, "desc", desc, sizeof(desc));
		answer(h, "HU-ERR %s refused: %s", id, desc);
		return;
	default:
		answer(h, "HU-ERR %s %s", id, "no answer from QMP");
		return;
	}
	if (n != g) {
		g->retired = true;
		h->o->ngpus++;
	}
	n->port = p;
	n->present = true;
	n->deleted = false;
	h->added++;
	vm_host_write_devices(h);
	vm_port_bdf(p, bdf, sizeof(bdf));
	snprintf(rest, sizeof(rest), "%s rp%d %s", n->id, p, bdf);
	answer(h, "HU-OK ADDED %s%s", rest, "");
}

/* line callback of the request channel */
void vm_host_request(void *data, const char *line)
{
	struct vm_host *h = data;
	char verb[64], id[32] = "";

	if (sscanf(line, "%63s %31s", verb, id) < 1)
		return;
	vm_msg("vmhost: <- %s", line);
	if (!strcmp(verb, "HU-PING"))
		answer(h, "HU-PONG%s%s", "", "");
	else if (!strcmp(verb, "HU-EXTERNAL-REMOVE"))
		do_remove(h, id);
	else if (!strcmp(verb, "HU-EXTERNAL-ADD"))
		do_add(h, id);
	else
		answer(h, "HU-ERR %s unknown request: %s", "-", verb);
}

/* QMP event callback: DEVICE_DELETED frees the id and the port */
void vm_host_event(void *data, const char *line)
{
	struct vm_host *h = data;
	char ev[64], dev[64];

	if (vm_json_str(line, "event", ev, sizeof(ev)) || strcmp(ev, "DEVICE_DELETED"))
		return;
	/* virtio devices also report their backend child by path only */
	if (vm_json_str(line, "device", dev, sizeof(dev)))
		return;
	for (int i = 0; i < h->o->ngpus; i++) {
		struct vm_gpu *g = &h->o->gpus[i];

		/* may come after the re-add retired it: its port is free now */
		if (!g->present && !g->deleted && !strcmp(g->id, dev)) {
			g->deleted = true;
			h->deleted++;
			vm_msg("vmhost: QEMU deleted %s", dev);
		}
	}
}
