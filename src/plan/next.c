/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <time.h>

#include "plan/checks.h"
#include "plan/isolation.h"
#include "plan/next.h"
#include "shared/shell.h"
#include "plan/verify.h"

static const struct {
	const char *name, *title;
} stages[] = {
	[NEXT_PREREQUISITES] = { "prerequisites", "make the machine meet the prerequisites" },
	[NEXT_CHOOSE_GPU] = { "choose-gpu", "choose the guest's GPU" },
	[NEXT_ISOLATE] = { "isolate", "isolate the GPU at boot" },
	[NEXT_REBOOT] = { "reboot", "reboot into the isolation" },
	[NEXT_VERIFY] = { "verify", "find why a device is not on vfio-pci" },
	[NEXT_GUEST] = { "guest", "create the guest" },
	[NEXT_TUNE] = { "tune", "tune the guest" },
	[NEXT_DONE] = { "done", "start the guest" },
};

const char *next_stage_name(enum next_stage s)
{
	return s < _NEXT_STAGE_MAX ? stages[s].name : "?";
}

const char *next_stage_title(enum next_stage s)
{
	return s < _NEXT_STAGE_MAX ? stages[s].title : "?";
}

void next_answer_clear(struct next_answer *a)
{
	free(a->why);
	free(a->command);
	free(a->unknown);
	*a = (struct next_answer){ 0 };
}

/* Set the answer; why and command are taken (NULL: -ENOMEM). */
static int answer(struct next_answer *a, enum next_stage s, const char *section, char *why, char *command)
{
	if (!why || !command) {
		free(why);
		free(command);
		return -ENOMEM;
	}
	*a = (struct next_answer){ .stage = s, .section = section, .why = why, .command = command };
	return 1;
}

static int refuse(struct next_answer *a, char *unknown)
{
	if (!unknown)
		return -ENOMEM;
	*a = (struct next_answer){ .unknown = unknown };
	return 1;
}

/* The checks of the article's "Prerequisites" and "Setting up IOMMU" that
 * no later step can make up for, in check's order, with their section.
 * The GPU's group, OVMF and the user's groups come at their own stages. */
static const char *prerequisite_section(const char *id)
{
	static const char *const pre[][2] = {
		{ "cpu-virt", "Prerequisites" },
		{ "kvm-device", "Prerequisites" },
		{ "acpi-table", "Prerequisites" },
		{ "iommu-active", "Setting up IOMMU" },
		{ "kernel-params", "Setting up IOMMU" },
		{ "vfio-modules", "Isolating the GPU" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(pre); i++)
		if (streq(pre[i][0], id))
			return pre[i][1];
	return NULL;
}

/* The IOMMU's checks: setup with no device writes their fix. */
static bool iommu_check(const char *id)
{
	return streq(id, "iommu-active") || streq(id, "kernel-params");
}

/* Entries that change what boots (setup, and tune's --apply through it). */
static bool entry_boots(const struct journal_entry *e)
{
	static const char *const cmds[] = { "vfiokit setup", "vfiokit tune pin", "vfiokit tune hugepages" };

	for (size_t i = 0; e->command && i < ARRAY_SIZE(cmds); i++)
		if (streq(e->command, cmds[i]))
			return true;
	return false;
}

/* The journal's "2026-12-01T00:13:20Z"; -1 when it is not that. */
static long long entry_time(const struct journal_entry *e)
{
	struct tm tm = { 0 };
	const char *end = e->time ? strptime(e->time, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;

	if (!end || *end)
		return -1;
	return (long long)timegm(&tm);
}

/* Parameters setup and tune write to a command line, whose absence from
 * the running kernel's says it booted before they were written. */
static bool watched_param(const char *key)
{
	static const char *const keys[] = { "intel_iommu", "amd_iommu",	  "iommu",	"vfio-pci.ids",
					    "vfio_pci.ids", "isolcpus",	  "nohz_full", "rcu_nocbs",
					    "hugepagesz",   "hugepages", "default_hugepagesz" };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (streq(keys[i], key))
			return true;
	return false;
}

/* The first watched key=value in text (a bootloader's file; comment lines
 * skipped) that the running command line lacks: heap, NULL when none
 * (*oom on ENOMEM). */
static char *lacking_param(const struct host *h, const char *text, bool *oom)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;

	if (!copy)
		return *oom = true, NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *wsave = NULL;
		line += strspn(line, " \t");
		if (*line == '#')
			continue;
		for (char *w = strtok_r(line, " \t\"'", &wsave); w; w = strtok_r(NULL, " \t\"'", &wsave)) {
			char *eq = strchr(w, '=');
			const struct cmdline_param *p;
			if (!eq || eq == w || !eq[1])
				continue;
			*eq = '\0';
			if (!watched_param(w)) {
				*eq = '=';
				continue;
			}
			p = cmdline_get(&h->kernel.cmdline, w);
			if (!p || !p->value || !streq(p->value, eq + 1)) {
				*eq = '=';
				char *r = strdup(w);
				return r ? r : (*oom = true, NULL);
			}
			*eq = '=';
		}
	}
	return NULL;
}

/* Whether an applied entry changed what boots since the running kernel
 * booted: 1 with *why, 0 no, -ENOMEM; 2 with *why when an entry wrote a
 * parameter and the running command line cannot be read to compare.
 * *unsure: no entry's parameters are missing, and the boot time is unknown. */
static int reboot_pending(const struct host *h, const struct journal_entry *e, size_t n, char **why, bool *unsure)
{
	*why = NULL;
	*unsure = false;
	for (size_t i = n; i-- > 0;) {
		long long t;
		if (e[i].state != JOURNAL_APPLIED || !entry_boots(&e[i]))
			continue;
		for (size_t j = 0; j < e[i].paths.n; j++) {
			const struct boot_file *f = NULL;
			_cleanup_free_ char *missing = NULL;
			bool oom = false;
			for (size_t k = 0; k < h->boot.files.n && !f; k++)
				if (h->boot.files.v[k].cmdline && streq(h->boot.files.v[k].path, e[i].paths.v[j]))
					f = &h->boot.files.v[k];
			if (!f || !f->text)
				continue;
			missing = lacking_param(h, f->text, &oom);
			if (oom)
				return -ENOMEM;
			if (missing && !h->kernel.cmdline_raw) {
				*why = strdupf("cannot tell whether the running kernel booted with %s, which journal entry %s "
					       "(%s) wrote to /%s: /proc/cmdline cannot be read",
					       missing, e[i].id, e[i].command, f->path);
				return *why ? 2 : -ENOMEM;
			}
			if (missing) {
				*why = strdupf("the running kernel's command line (/proc/cmdline) lacks %s, which journal entry %s "
					       "(%s) wrote to /%s: the machine has not booted with it yet",
					       missing, e[i].id, e[i].command, f->path);
				return *why ? 1 : -ENOMEM;
			}
		}
		t = entry_time(&e[i]);
		if (h->progress.boot_time < 0) {
			*unsure = true;
			continue;
		}
		if (t >= h->progress.boot_time) {
			*why = strdupf("journal entry %s (%s) was written at %s, after this boot: what it changed takes effect "
				       "at the next boot",
				       e[i].id, e[i].command, e[i].time);
			return *why ? 1 : -ENOMEM;
		}
	}
	return 0;
}

static bool on_vfio(const struct pci_device *d)
{
	return d->driver && (streq(d->driver, "vfio-pci") || streq(d->driver, "vfio_pci"));
}

static char *device_label(const struct pci_device *d)
{
	return d->device_name ? strdupf("%s (%s)", d->name, d->device_name) : strdup(d->name);
}

/* The guest's device: the first display function vfio-pci is told to take
 * or has, else the first such device; -1 when none. */
static ssize_t chosen_device(const struct host *h, const struct verify_result *vr)
{
	ssize_t any = -1;

	for (size_t i = 0; i < h->npci; i++) {
		const struct pci_device *d = &h->pci[i];
		bool named = on_vfio(d);
		for (size_t j = 0; j < vr->n && !named; j++)
			named = vr->rows[j].dev == i;
		if (!named || pci_is_bridge_role(d->role))
			continue;
		if (pci_is_display(d))
			return (ssize_t)i;
		if (any < 0)
			any = (ssize_t)i;
	}
	return any;
}

/* GPUs a guest can take, as check judges them: display endpoints, not the
 * boot GPU, in a group not shared with another card. */
static int candidates(const struct host *h, struct strv *labels, ssize_t *first)
{
	*first = -1;
	for (size_t i = 0; i < h->npci; i++) {
		const struct pci_device *d = &h->pci[i];
		const struct iommu_group *g;
		struct group_assessment a;
		bool ok;
		if (!pci_is_display(d) || pci_is_bridge_role(d->role) || d->boot_vga == 1 || d->iommu_group < 0 ||
		    !(g = host_find_group(h, d->iommu_group)))
			continue;
		if (isolation_assess(h, g, &d->addr, &a) < 0)
			return -ENOMEM;
		ok = a.verdict != VERDICT_SHARED;
		group_assessment_clear(&a);
		if (!ok)
			continue;
		if (*first < 0)
			*first = (ssize_t)i;
		if (strv_push_take(labels, device_label(d)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static const struct check_result *find_check(const struct check_report *rep, const char *id)
{
	for (size_t i = 0; i < rep->n; i++)
		if (streq(rep->r[i].id, id))
			return &rep->r[i];
	return NULL;
}

static int stage_prerequisites(const struct check_report *rep, bool pending, struct next_answer *a)
{
	const struct check_result *table = find_check(rep, "acpi-table");
	/* setup chooses the IOMMU's parameter by the firmware's table: without
	 * it, setup refuses, and check's fix says how to name the IOMMU. */
	bool setup_can = table && table->status == CHECK_PASS;

	for (size_t i = 0; i < rep->n; i++) {
		const struct check_result *r = &rep->r[i];
		const char *section = prerequisite_section(r->id);
		if (r->status != CHECK_FAIL || !section || (pending && iommu_check(r->id)))
			continue;
		return answer(a, NEXT_PREREQUISITES, section,
			      strdupf("%s: %s%s%s", r->title, r->detail, r->fix ? "; fix: " : "", r->fix ? r->fix : ""),
			      strdup(iommu_check(r->id) && setup_can ? "sudo vfiokit setup --apply" : "vfiokit check"));
	}
	return 0;
}

/* The journal: an entry stopped half-way, or one that cannot be read. */
static int stage_journal(const struct journal_entry *e, size_t n, struct next_answer *a)
{
	for (size_t i = n; i-- > 0;) {
		/* A manifest cut short reads as an entry without its command or
		 * time: whether it changed what boots, and when, cannot be told. */
		const char *cut = !e[i].command ? "names no command" : entry_time(&e[i]) < 0 ? "has no time vfiokit writes" : NULL;
		if (e[i].state == JOURNAL_DAMAGED)
			return answer(a, NEXT_ISOLATE, "Isolating the GPU",
				      strdupf("journal entry %s cannot be read (%s): undo refuses it", e[i].id,
					      e[i].why ? e[i].why : "damaged"),
				      strdup("vfiokit journal"));
		if (cut)
			return answer(a, NEXT_ISOLATE, "Isolating the GPU",
				      strdupf("journal entry %s's manifest %s (cut short?): whether it changed what boots, "
					      "and when, cannot be told; look at it before undoing or going on",
					      e[i].id, cut),
				      strdup("vfiokit journal"));
		if (e[i].state == JOURNAL_APPLYING || e[i].state == JOURNAL_UNDOING)
			return answer(a, NEXT_ISOLATE, "Isolating the GPU",
				      strdupf("journal entry %s (%s) is %s: it stopped half-way; undo finishes the way back, "
					      "then run it again",
					      e[i].id, e[i].command ? e[i].command : "?", journal_state_name(e[i].state)),
				      strdup("sudo vfiokit undo"));
	}
	return 0;
}

static int stage_choose(const struct host *h, const struct check_report *rep, struct next_answer *a)
{
	_cleanup_(strv_clear) struct strv labels = { 0 };
	_cleanup_free_ char *list = NULL;
	const struct check_result *gpu = find_check(rep, "gpu-isolated");
	ssize_t first;

	if (candidates(h, &labels, &first) < 0)
		return -ENOMEM;
	if (labels.n == 0)
		return answer(a, NEXT_CHOOSE_GPU, "Ensuring that the groups are valid",
			      strdupf("no device is chosen for a guest, and no GPU is in a group a guest can take%s%s%s%s",
				      gpu ? ": " : "", gpu ? gpu->detail : "", gpu && gpu->fix ? "; fix: " : "",
				      gpu && gpu->fix ? gpu->fix : ""),
			      strdup("vfiokit groups --gpu"));
	if (labels.n == 1)
		return answer(a, NEXT_ISOLATE, "Isolating the GPU",
			      strdupf("%s is the one GPU in a group a guest can take, and nothing isolates it yet "
				      "('vfiokit setup --gpu %s' shows the plan)",
				      labels.v[0], h->pci[first].name),
			      strdupf("sudo vfiokit setup --gpu %s --apply", h->pci[first].name));
	if (!(list = strv_join(&labels, ", ")))
		return -ENOMEM;
	return answer(a, NEXT_CHOOSE_GPU, "Isolating the GPU",
		      strdupf("no device is chosen for a guest; %zu GPUs are in groups a guest can take: %s; choose one "
			      "(the command shows its plan; add --apply to write it)",
			      labels.n, list),
		      strdupf("vfiokit setup --gpu %s", h->pci[first].name));
}

static int stage_verify(const struct host *h, const struct verify_result *vr, struct next_answer *a)
{
	for (size_t i = 0; i < vr->n; i++) {
		const struct pci_device *d = &h->pci[vr->rows[i].dev];
		if (vr->rows[i].ok)
			continue;
		return answer(a, NEXT_VERIFY, "Verifying that the configuration worked",
			      strdupf("%s is on %s, not vfio-pci: %s", d->name, d->driver ? d->driver : "no driver",
				      vr->rows[i].cause ? vr->rows[i].cause : "?"),
			      strdup("vfiokit verify"));
	}
	return 0;
}

static const struct host_guest *guest_with(const struct host *h, const struct pci_device *d)
{
	for (size_t i = 0; i < h->progress.nguests; i++)
		for (size_t j = 0; j < h->progress.guests[i].nhostdevs; j++)
			if (!pci_addr_cmp(&h->progress.guests[i].hostdevs[j], &d->addr))
				return &h->progress.guests[i];
	return NULL;
}

static int stage_guest(const struct host *h, const struct check_report *rep, const struct pci_device *d,
		       struct next_answer *a)
{
	const struct check_result *ovmf = find_check(rep, "ovmf");
	const struct host_guest *g;
	_cleanup_free_ char *name = NULL;
	bool no_ovmf = ovmf && ovmf->status == CHECK_FAIL;

	if (h->progress.guests_unknown)
		return refuse(a, strdupf("cannot tell whether a guest has %s: %s", d->name, h->progress.guests_unknown));
	if (!(g = guest_with(h, d)))
		return answer(a, NEXT_GUEST, "Setting up an OVMF-based guest VM",
			      strdupf("%s is on vfio-pci, and no guest libvirt keeps (/etc/libvirt/qemu) has it; DISK and "
				      "ISO are yours to name%s%s",
				      d->name, no_ovmf ? "; OVMF is missing first: " : "",
				      no_ovmf ? (ovmf->fix ? ovmf->fix : ovmf->detail) : ""),
			      strdupf("sudo vfiokit vm create win10 --gpu %s --disk DISK --iso ISO --define", d->name));
	if (!(name = sh_quote(g->name)))
		return -ENOMEM;
	if (!g->pinned || !g->hugepages)
		return answer(a, NEXT_TUNE, g->pinned ? "Huge memory pages" : "CPU pinning",
			      strdupf("guest %s (/%s) has %s but %s", g->name, g->file, d->name,
				      !g->pinned && !g->hugepages ? "neither CPU pinning nor huge pages" :
				      !g->pinned		 ? "no CPU pinning" :
								   "no huge pages"),
			      strdupf("sudo vfiokit vm edit %s --gpu %s%s%s --define", name, d->name, g->pinned ? "" : " --pin",
				      g->hugepages ? "" : " --hugepages"));
	return answer(a, NEXT_DONE, "Performance tuning",
		      strdupf("guest %s (/%s) has %s, pinned vCPUs and huge pages: the article's procedure is done", g->name,
			      g->file, d->name),
		      strdupf("virsh start %s", name));
}

static int plan(struct host *h, const struct journal_entry *e, size_t n, const struct check_report *rep,
		const struct verify_result *vr, struct next_answer *a)
{
	_cleanup_free_ char *why = NULL;
	bool unsure;
	ssize_t dev;
	int k;

	if ((k = reboot_pending(h, e, n, &why, &unsure)) < 0)
		return k;
	if (k == 2)
		return refuse(a, TAKE_PTR(why));
	if ((k = stage_prerequisites(rep, k > 0, a)) != 0 || (k = stage_journal(e, n, a)) != 0)
		return k;
	if (why)
		return answer(a, NEXT_REBOOT, "Isolating the GPU", TAKE_PTR(why), strdup("sudo reboot"));
	if ((dev = chosen_device(h, vr)) < 0)
		return stage_choose(h, rep, a);
	for (size_t i = 0; unsure && i < vr->n; i++)
		if (!vr->rows[i].ok)
			return refuse(a, strdupf("cannot tell whether the machine rebooted since vfiokit last changed what boots: "
						 "%s",
						 h->progress.boot_time_unknown ? h->progress.boot_time_unknown : "?"));
	if ((k = stage_verify(h, vr, a)) != 0)
		return k;
	return stage_guest(h, rep, &h->pci[dev], a);
}

int next_plan(struct host *h, const struct journal_entry *e, size_t n, struct next_answer *ret)
{
	struct check_report rep = { 0 };
	struct verify_result vr = { 0 };
	int k;

	*ret = (struct next_answer){ 0 };
	if ((k = checks_run(h, &rep)) >= 0 && (k = verify_run(h, &vr)) >= 0)
		k = plan(h, e, n, &rep, &vr, ret);
	check_report_clear(&rep);
	verify_result_free(&vr);
	if (k < 0) {
		next_answer_clear(ret);
		return k;
	}
	return 0;
}
