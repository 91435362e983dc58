/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's event devices, for evdev passthrough (the article's "Passing
 * keyboard/mouse via Evdev") and for knowing which USB controller carries
 * the host's keyboard and mouse: sys/class/input/eventN, its sysfs path
 * (the PCI devices above it) and its capabilities, judged as udev's
 * input_id does (src/udev/udev-builtin-input_id.c): a keyboard reports
 * EV_KEY with the letter keys, a mouse EV_REL with REL_X and REL_Y. The
 * dev/input/by-id links are resolved here, so the plan never reads.
 */
#include "host/host.h"

#define EV_KEY 0x01
#define EV_REL 0x02
#define REL_X 0x00
#define REL_Y 0x01

/* include/uapi/linux/input-event-codes.h: KEY_Q..KEY_P, KEY_A..KEY_L, KEY_Z..KEY_M. */
static const unsigned letter_ranges[][2] = { { 16, 25 }, { 30, 38 }, { 44, 50 } };

/* The three capability bitmaps of an event device, then its kind. */
static int judge_caps(struct host_input *in, char *const text[3])
{
	bool keys = true;

	for (size_t r = 0; r < ARRAY_SIZE(letter_ranges); r++)
		for (unsigned key = letter_ranges[r][0]; key <= letter_ranges[r][1]; key++)
			keys = keys && input_bitmap_test(text[1], key) == 1;
	if (input_bitmap_test(text[0], EV_KEY) == 1 && keys)
		in->caps |= INPUT_KEYBOARD;
	if (input_bitmap_test(text[0], EV_REL) == 1 && input_bitmap_test(text[2], REL_X) == 1 &&
	    input_bitmap_test(text[2], REL_Y) == 1)
		in->caps |= INPUT_MOUSE;
	return 0;
}

static int read_caps(struct host *h, struct host_input *in)
{
	static const char *const files[] = { "ev", "key", "rel" };
	/* Not _cleanup_free_: on an array it would free the first only. */
	char *text[3] = { NULL };
	int k = 0;

	for (size_t i = 0; k == 0 && i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *rel = strdupf("sys/class/input/%s/device/capabilities/%s", in->event, files[i]);
		if (!rel) {
			k = -ENOMEM;
			break;
		}
		k = path_read_string(h->root, rel, &text[i]);
		if (k == -ENOMEM)
			break;
		if (k < 0 || input_bitmap_test(text[i], 0) < 0) {
			in->unreadable = strdupf("/%s: %s", rel, k < 0 ? path_strerror(k) : "not a capability bitmap");
			k = in->unreadable ? 1 : -ENOMEM;
		}
	}
	if (k == 0)
		k = judge_caps(in, text);
	for (size_t i = 0; i < ARRAY_SIZE(text); i++)
		free(text[i]);
	return k < 0 ? k : 0;
}

static struct host_input *find_event(struct host *h, const char *event)
{
	for (size_t i = 0; i < h->sys.nevents; i++)
		if (streq(h->sys.events[i].event, event))
			return &h->sys.events[i];
	return NULL;
}

/* dev/input/by-id/NAME -> ../eventN. */
static int load_by_id(struct host *h)
{
	struct strv names = { 0 };
	int k = path_list(h->root, "dev/input/by-id", &names);

	if (k < 0)
		return k == -ENOMEM ? k : 0;
	for (size_t i = 0; k >= 0 && i < names.n; i++) {
		_cleanup_free_ char *rel = strdupf("dev/input/by-id/%s", names.v[i]), *target = NULL;
		struct host_input *in;
		const char *base;

		if (!rel) {
			k = -ENOMEM;
			break;
		}
		k = path_readlink(h->root, rel, &target);
		if (k < 0) {
			k = k == -ENOMEM ? k : 0;
			continue;
		}
		base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
		if ((in = find_event(h, base)))
			k = strv_push(&in->by_id, names.v[i]);
	}
	strv_clear(&names);
	return k < 0 ? k : 0;
}

int input_load(struct host *h)
{
	struct strv names = { 0 };
	int k = path_list(h->root, "sys/class/input", &names);

	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		h->sys.events_unknown = strdupf("/sys/class/input: %s", k == -ENOENT ? "absent" : path_strerror(k));
		return h->sys.events_unknown ? 0 : -ENOMEM;
	}
	k = 0;
	for (size_t i = 0; k >= 0 && i < names.n; i++) {
		_cleanup_free_ char *rel = NULL, *target = NULL;
		struct host_input *in;
		const char *dev;

		if (!startswith(names.v[i], "event"))
			continue;
		if (!(rel = strdupf("sys/class/input/%s", names.v[i]))) {
			k = -ENOMEM;
			break;
		}
		if ((k = path_readlink(h->root, rel, &target)) < 0) {
			if (k != -ENOMEM)
				host_diag(h, rel, "not a link into /sys/devices: %s", path_strerror(k));
			k = k == -ENOMEM ? k : 0;
			continue;
		}
		if (GROW(h->sys.events, h->sys.events_alloc, h->sys.nevents + 1) < 0) {
			k = -ENOMEM;
			break;
		}
		in = &h->sys.events[h->sys.nevents++];
		*in = (struct host_input){ 0 };
		dev = strstr(target, "devices/");
		if (!(in->event = strdup(names.v[i])) || !(in->sysfs = strdup(dev ? dev : target)))
			k = -ENOMEM;
		else
			k = read_caps(h, in);
	}
	strv_clear(&names);
	return k < 0 ? k : load_by_id(h);
}

void input_free(struct host *h)
{
	for (size_t i = 0; i < h->sys.nevents; i++) {
		free(h->sys.events[i].event);
		free(h->sys.events[i].sysfs);
		free(h->sys.events[i].unreadable);
		strv_clear(&h->sys.events[i].by_id);
	}
	free(h->sys.events);
	free(h->sys.events_unknown);
	h->sys.events = NULL;
	h->sys.nevents = h->sys.events_alloc = 0;
	h->sys.events_unknown = NULL;
}

const struct host_input *host_find_input(const struct host *h, const char *dev)
{
	const char *name;

	if (startswith(dev, "/dev/input/by-id/")) {
		name = dev + strlen("/dev/input/by-id/");
		for (size_t i = 0; i < h->sys.nevents; i++)
			for (size_t j = 0; j < h->sys.events[i].by_id.n; j++)
				if (streq(h->sys.events[i].by_id.v[j], name))
					return &h->sys.events[i];
		return NULL;
	}
	if (!startswith(dev, "/dev/input/"))
		return NULL;
	name = dev + strlen("/dev/input/");
	for (size_t i = 0; i < h->sys.nevents; i++)
		if (streq(h->sys.events[i].event, name))
			return &h->sys.events[i];
	return NULL;
}

bool host_sysfs_under(const char *sysfs, const struct pci_addr *addr)
{
	/* Component by component, without allocating: a PCI address is short. */
	for (const char *p = sysfs; *p;) {
		size_t n = strcspn(p, "/");
		char tok[PCI_ADDR_STRLEN];
		struct pci_addr a;

		if (n > 0 && n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = 0;
			if (parse_pci_addr(tok, &a) == 0 && pci_addr_cmp(&a, addr) == 0)
				return true;
		}
		p += n;
		p += *p == '/';
	}
	return false;
}
