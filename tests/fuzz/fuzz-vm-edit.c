/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: `vfiokit vm edit --from FILE` on any text, the way
 * cmd-vm.c runs it: domain_peek, a plan for the article's host (its GPU
 * 06:00.0, the domain's own vCPUs and memory), domain_edit; then edit again
 * on the output. The first byte picks the options (huge pages, pinning,
 * audio, Looking Glass, evdev, USB, ROM, hidden KVM, vendor_id).
 * Invariants: a refusal says why and returns no text; what peek accepts,
 * edit accepts; the output is well-formed XML with the same <domain>, the
 * plan's memory, and a second edit changes nothing (vm edit's "the domain
 * already has all of it"). Host: FUZZ_HOST (a fixture tree), loaded once.
 */
#include <errno.h>
#include <libxml/parser.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit/domain.h"
#include "host/host.h"
#include "plan/vm.h"

#ifndef FUZZ_HOST
#define FUZZ_HOST "tests/fixtures/hosts/article"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct host *host;

/* Plans cost file reads (firmware descriptors): keep the last ones. */
#define NCACHE 64
static struct cached {
	bool used;
	uint8_t opts;
	unsigned vcpus;
	uint64_t memory;
	int k;
	struct vm_plan p;
} cache[NCACHE];

static char *const usb[] = { "046d:c52b" };
static char *const evdev[] = { "/dev/input/by-id/usb-Logitech_USB_Receiver-event-kbd",
			       "/dev/input/by-id/usb-Logitech_USB_Receiver-if01-event-mouse" };

static void request(uint8_t opts, const char *name, unsigned vcpus, uint64_t memory, struct vm_request *rq)
{
	*rq = (struct vm_request){
		.name = name,
		.gpu = "06:00.0",
		.vcpus = vcpus,
		.memory = memory,
		.hugepages = opts & 1,
		.allow_unreserved = true,
		.pin = opts & 2,
		.audio = (opts >> 2) % 3,
		.uid = 1000,
		.lg_width = opts & 16 ? 1920 : 0,
		.lg_height = opts & 16 ? 1080 : 0,
		.lg_spice = (opts & 0x30) == 0x30,
		.user = "user",
		.evdev = evdev,
		.nevdev = opts & 32 ? 2 : 0,
		.usb = usb,
		.nusb = opts & 64 ? 1 : 0,
		.rom = opts & 128 ? "/usr/share/vgabios/gk104.rom" : NULL,
		.hide_kvm = opts & 128,
		.vendor_id = opts & 8 ? "1234567890ab" : NULL,
		/* A SeaBIOS domain is refused without it: given, every domain
		 * with an <os> is edited. */
		.convert_ovmf = true,
	};
}

static struct cached *plan(uint8_t opts, const char *name, unsigned vcpus, uint64_t memory, struct vm_request *rq)
{
	struct cached *c = &cache[(opts ^ vcpus ^ (memory >> 20)) % NCACHE];
	struct error err = { 0 };

	request(opts, name, vcpus, memory, rq);
	/* The facts the cli gives the planner, read as it reads them. */
	rq->disk_exists = rq->disk && rq->disk[0] == '/' && host_path_exists(host, rq->disk);
	rq->rom_exists = rq->rom && host_path_exists(host, rq->rom);
	/* The plan depends on the name (the NVRAM file), which a cached one
	 * does not: edit never writes the NVRAM path of an existing domain. */
	if (c->used && c->opts == opts && c->vcpus == vcpus && c->memory == memory)
		return c;
	if (c->used && c->k == 0)
		vm_plan_free(&c->p);
	*c = (struct cached){ .used = true, .opts = opts, .vcpus = vcpus, .memory = memory };
	c->k = vm_plan_make(host, rq, &c->p, &err);
	if (c->k != 0 && c->k != -ENOMEM && !err.msg)
		abort(); /* a refusal names its reason */
	error_clear(&err);
	return c;
}

static void edit(const char *xml, const struct vm_request *rq, const struct vm_plan *p, char **before, char **after)
{
	struct strv changes = { 0 };
	struct error err = { 0 };
	int k = domain_edit(xml, host, rq, p, before, after, &changes, &err);

	if (k == -ENOMEM || (k == -EINVAL && err.msg && strstr(err.msg, "has no <os>"))) {
		/* The one refusal left with --convert-ovmf: no <os> to give OVMF. */
		*before = *after = NULL;
	} else if (k != 0 || !*before || !*after || err.msg)
		abort(); /* peek took it: edit must too */
	strv_clear(&changes);
	error_clear(&err);
}

static void check_output(const char *after, const char *name, const struct vm_plan *p)
{
	char *name2 = NULL;
	struct error err = { 0 };
	unsigned vcpus;
	uint64_t mem_kb;
	xmlDocPtr doc = xmlReadMemory(after, (int)strlen(after), "after.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	if (!doc)
		abort(); /* not well-formed: libvirt would refuse it */
	xmlFreeDoc(doc);
	if (domain_peek(after, &name2, &vcpus, &mem_kb, &err) != 0)
		abort();
	if (strcmp(name, name2) != 0 || mem_kb != p->memory_kb)
		abort(); /* the same domain, the plan's memory */
	free(name2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = { 0 };
	char *xml, *name = NULL, *before = NULL, *after = NULL, *before2 = NULL, *after2 = NULL;
	struct vm_request rq;
	struct cached *c;
	unsigned vcpus;
	uint64_t mem_kb;
	int k;

	if (size < 1 || size > (1u << 20))
		return 0;
	if (!host) {
		struct path_root *root;
		if (path_root_open(FUZZ_HOST, &root) < 0 ||
		    host_load(root,
			      HOST_LOAD_PCI | HOST_LOAD_NAMES | HOST_LOAD_MODULES | HOST_LOAD_USB | HOST_LOAD_SYSTEM |
				      HOST_LOAD_USAGE | HOST_LOAD_TOPOLOGY | HOST_LOAD_TUNING,
			      &host) < 0 ||
		    host_pci_drivers_probe(host, "vfio-pci") < 0)
			abort();
	}
	/* The file is read as a C string (read_text_file refuses NUL bytes). */
	xml = strndup((const char *)data + 1, size - 1);
	if (!xml)
		return 0;
	k = domain_peek(xml, &name, &vcpus, &mem_kb, &err);
	if (k == -EINVAL && (!err.msg || name))
		abort(); /* a refusal says why */
	if (k == 0 && (!name || err.msg))
		abort();
	/* cmd-vm.c: the domain's own vCPUs and memory unless given. */
	if (k == 0 && !vm_name_invalid(name) &&
	    (c = plan(data[0], name, vcpus, mem_kb * 1024, &rq))->k == 0) {
		edit(xml, &rq, &c->p, &before, &after);
		if (after) {
			check_output(after, name, &c->p);
			edit(after, &rq, &c->p, &before2, &after2);
			/* The output reads back as itself, and a second edit is a no-op. */
			if (after2 && (strcmp(before2, after) != 0 || strcmp(after2, after) != 0))
				abort();
		}
	}
	free(xml);
	free(name);
	error_clear(&err);
	free(before);
	free(after);
	free(before2);
	free(after2);
	return 0;
}
