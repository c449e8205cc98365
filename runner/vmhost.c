// SPDX-License-Identifier: MIT
/*
 * Host side of the guest's requests for host-driven unplug (protocol in
 * runner/hu_vmhost.h and docs/vm-lane.md). The guest writes one request line
 * on the virtio-serial port "hu.vmhost" and waits (bounded) for one answer
 * line; we never wait on the guest: a removal is started with device_del
 * and answered when QEMU's DEVICE_DELETED event arrives, or with an error
 * at its deadline.
 */
#include <stdio.h>
#include <string.h>

#include "vm.h"

#define REMOVE_TIMEOUT_S	30	/* pciehp's button delay is 5 s */

void vm_host_init(struct vm_host *h, struct vm_opts *o, struct vm_qmp *q,
		  struct vm_chan *req, const char *ctl)
{
	memset(h, 0, sizeof(*h));
	h->o = o;
	h->qmp = q;
	h->req = req;
	snprintf(h->devfile, sizeof(h->devfile), "%s/vm-devices", ctl);
}

/* ctl/vm-devices: "<id> <qemu-driver> <port> <port-bdf> <present>" */
int vm_host_write_devices(const struct vm_host *h)
{
	char text[2048] = "", line[160], bdf[32];

	for (int i = 0; i < h->o->ngpus; i++) {
		const struct vm_gpu *g = &h->o->gpus[i];
		char port[16] = "-";

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
		if (!strcmp(h->o->gpus[i].id, id))
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
	int slot = -1;

	if (!g || !g->present) {
		answer(h, "HU-ERR %s %s", id, g ? "not present" : "no such device");
		return;
	}
	for (int i = 0; i < VM_MAX_GPUS; i++)
		if (!h->pending[i].id[0])
			slot = i;
	if (slot < 0) {
		answer(h, "HU-ERR %s %s", id, "too many removals in flight");
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
	snprintf(h->pending[slot].id, sizeof(h->pending[slot].id), "%s", id);
	h->pending[slot].deadline = vm_now() + REMOVE_TIMEOUT_S;
}

/* the least recently vacated free port: QEMU 7.2 aborted on a quick re-add
 * to the same port ("RAMBlock ... already registered") */
static int free_port(struct vm_host *h)
{
	bool used[VM_MAX_PORTS] = { false };
	int best = -1;

	for (int i = 0; i < h->o->ngpus; i++)
		if (h->o->gpus[i].port >= 0 && h->o->gpus[i].present)
			used[h->o->gpus[i].port] = true;
	for (int p = 0; p < VM_MAX_PORTS; p++)
		if (!used[p] && (best < 0 || h->port_freed[p] < h->port_freed[best]))
			best = p;
	return best;
}

static void do_add(struct vm_host *h, const char *id)
{
	struct vm_gpu *g = find_gpu(h, id);
	char cmd[512], reply[1024], desc[256] = "", port[64], bdf[32];
	int p;

	if (!g || g->present || g->port < 0) {
		answer(h, "HU-ERR %s %s", id, !g ? "no such device" :
		       g->present ? "already present" : "not on a root port");
		return;
	}
	for (int i = 0; i < VM_MAX_GPUS; i++)
		if (!strcmp(h->pending[i].id, id)) {
			answer(h, "HU-ERR %s %s", id, "removal still in progress");
			return;
		}
	p = free_port(h);
	if (p < 0) {
		answer(h, "HU-ERR %s %s", id, "no free root port");
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"%s\","
		 "\"id\":\"%s\",\"bus\":\"rp%d\"%s}}", g->qdev, id, p,
		 !strcmp(g->kind, "virtio-gpu") && h->o->iommu != VM_IOMMU_NONE ?
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
	g->port = p;
	g->present = true;
	h->added++;
	vm_host_write_devices(h);
	vm_port_bdf(p, bdf, sizeof(bdf));
	snprintf(port, sizeof(port), "rp%d %s", p, bdf);
	answer(h, "HU-OK ADDED %s %s", id, port);
}

/* line callback of the request channel */
void vm_host_request(void *data, const char *line)
{
	struct vm_host *h = data;
	char verb[64], id[32];

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

/* QMP event callback: DEVICE_DELETED completes a removal */
void vm_host_event(void *data, const char *line)
{
	struct vm_host *h = data;
	char ev[64], dev[64];
	struct vm_gpu *g;

	if (vm_json_str(line, "event", ev, sizeof(ev)) || strcmp(ev, "DEVICE_DELETED"))
		return;
	/* virtio devices also report their backend child by path only */
	if (vm_json_str(line, "device", dev, sizeof(dev)))
		return;
	for (int i = 0; i < VM_MAX_GPUS; i++) {
		if (strcmp(h->pending[i].id, dev))
			continue;
		h->pending[i].id[0] = 0;
		g = find_gpu(h, dev);
		if (g) {
			g->present = false;
			h->port_freed[g->port] = vm_now();
		}
		h->removed++;
		vm_host_write_devices(h);
		answer(h, "HU-OK REMOVED %s%s", dev, "");
	}
}

void vm_host_tick(struct vm_host *h)
{
	double now = vm_now();

	for (int i = 0; i < VM_MAX_GPUS; i++) {
		if (!h->pending[i].id[0] || now < h->pending[i].deadline)
			continue;
		answer(h, "HU-ERR %s %s", h->pending[i].id,
		       "timeout: no DEVICE_DELETED within 30 s");
		h->pending[i].id[0] = 0;
	}
}
