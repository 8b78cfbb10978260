# stackroll.lifecycle: one entry point for setup, tests, the lab and the demo.
# Every target installs what it needs on a fresh Debian machine (as root).
# `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

COLLECTION := stackroll/lifecycle
VENV := $(CURDIR)/.venv
VENV_LATEST := $(CURDIR)/.venv-latest
BUILD := $(CURDIR)/.build
SANITY_ROOT := $(BUILD)/sanity/ansible_collections
ACTIVATE := export PATH=$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(BUILD)/link;
# The lab: podman settings kept in the project, caches kept across labs.
STACKROLL_CACHE ?= $(HOME)/.cache/stackroll
LAB_ENV = export CONTAINERS_CONF=$(CURDIR)/lab/containers.conf STACKROLL_CACHE=$(STACKROLL_CACHE) \
	STACKROLL_LAB_STATE=$(CURDIR)/lab/.state LAB_DRIVER=$(LAB_DRIVER) \
	ANSIBLE_CONFIG=$(CURDIR)/lab/ansible.cfg;
LAB_INVENTORY := -i lab/.state/hosts.yml -i lab/inventory
LAB_CLOUD := export OS_CLIENT_CONFIG_FILE=$(CURDIR)/lab/.state/clouds.yaml OS_CLOUD=stackroll-lab;
LAB_RELEASES = export STACKROLL_OLDER_RELEASE=$(OLDER_RELEASE) STACKROLL_NEWEST_RELEASE=$(NEWEST_RELEASE);
# Debian packages the lab and Molecule need, as command=package.
HOST_TOOLS := podman=podman runc=runc debootstrap=debootstrap ssh-keygen=openssh-client \
	newuidmap=uidmap slirp4netns=slirp4netns fuse-overlayfs=fuse-overlayfs zstd=zstd

# Arguments the lab, demo and Molecule targets take.
SCENARIO ?=
RELEASE ?=
# Extra arguments of the benchmarks, e.g. BENCH_ARGS='--instances 8'.
BENCH_ARGS ?=
COMPUTES ?= 3
# The lab's controllers, an odd number: with more than one, its inventory
# has a VIP and site.yml puts the load balancer on them.
CONTROLLERS ?= 1
# The lab computes' hypervisor: fake (lab/nova_lab_driver, in-memory guests,
# for scale) or libvirt (QEMU guests, emulated).
LAB_DRIVER ?= fake
# The hosts' image (lab/image); a libvirt lab's computes get libvirt in theirs.
LAB_IMAGE_BUILD = lab/image/build$(if $(filter libvirt,$(LAB_DRIVER)),-libvirt).sh
RELEASES := 2025.1 2025.2 2026.1 2026.2
NEWEST_RELEASE := $(lastword $(RELEASES))
# The release before it: where make demo and the upgrade scenario start.
OLDER_RELEASE := $(word $(words $(wordlist 2,$(words $(RELEASES)),$(RELEASES))),$(RELEASES))
SCENARIOS := $(notdir $(patsubst %/molecule.yml,%,$(wildcard extensions/molecule/*/molecule.yml)))
# make test runs the gate's scenario; make test-all runs the others.
GATE_SCENARIO := default
MATRIX_SCENARIOS := $(filter-out $(GATE_SCENARIO),$(SCENARIOS))
# Where each part's time goes (lab/times.py; the lab_times callback adds the
# scenarios' steps): shown at the end of make test, make test-all and CI.
TIMES ?= $(BUILD)/times.jsonl
TIMED = $(VENV)/bin/python lab/times.py run $(TIMES)

.PHONY: help venv venv-latest host-deps check-args sanity-tree test test-all sanity units lint \
	build-check molecule demo lab lab-down lab-drill bench clean

help:
	@echo 'make demo         the main job, on the local lab'
	@echo 'make test         everything the tests need, then the tests (the gate)'
	@echo '  sanity units lint build-check molecule    parts of make test'
	@echo 'make test-all     the scenarios the gate leaves out: $(MATRIX_SCENARIOS)'
	@echo '  test-all SCENARIO=name    one scenario of: $(SCENARIOS)'
	@echo 'make lab / lab-down   bring the local lab up or down (RELEASE=, COMPUTES=, CONTROLLERS=, LAB_DRIVER=)'
	@echo 'make lab-drill    the real guests drill, on a lab made with LAB_DRIVER=libvirt'
	@echo 'make bench        benchmarks'
	@echo 'make clean        remove venvs and build trees'

# --- setup -----------------------------------------------------------------

# Python 3.11 carries ansible-core 2.19, the supported floor.
PYTHON ?= $(shell command -v python3.11 || command -v python3)

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The newest ansible-core needs Python >= 3.12: use one if the machine has it
# (on PATH or under pyenv), else say so and skip.
PYTHON_LATEST ?= $(shell for p in $$(compgen -c python3.1 | grep -x 'python3\.1[0-9]*' | sort -u) \
	$$HOME/.pyenv/versions/3.1*/bin/python3; do $$p -c 'import sys, ensurepip, venv; \
	assert sys.version_info >= (3, 12); print("%d.%d" % sys.version_info[:2], sys.executable)' \
	2>/dev/null || true; done | sort -V | tail -n 1 | cut -d' ' -f2)

venv-latest: $(VENV_LATEST)/.installed
$(VENV_LATEST)/.installed: requirements-latest.txt
	$(PYTHON_LATEST) -m venv $(VENV_LATEST)
	$(VENV_LATEST)/bin/pip install -q --disable-pip-version-check -r requirements-latest.txt
	touch $@

host-deps:
	@missing=; for pair in $(HOST_TOOLS); do \
		command -v $${pair%%=*} >/dev/null || missing="$$missing $${pair#*=}"; done; \
	if [ -n "$$missing" ]; then \
		[ "$$(id -u)" = 0 ] || { echo "Missing Debian packages:$$missing; install them as root." >&2; exit 1; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

# Reject wrong arguments before anything runs.
check-args:
	@if [ -n "$(SCENARIO)" ] && ! echo " $(SCENARIOS) " | grep -q " $(SCENARIO) "; then \
		echo "Unknown SCENARIO '$(SCENARIO)'. Known scenarios: $(or $(SCENARIOS),none yet)." >&2; exit 2; fi
	@if [ -n "$(RELEASE)" ] && ! echo " $(RELEASES) " | grep -q " $(RELEASE) "; then \
		echo "Unknown RELEASE '$(RELEASE)'. Supported releases: $(RELEASES)." >&2; exit 2; fi
	@if ! [[ "$(COMPUTES)" =~ ^[1-9][0-9]*$$ ]]; then \
		echo "COMPUTES must be a whole number of compute hosts, 1 or more (got '$(COMPUTES)')." >&2; exit 2; fi
	@if ! [[ "$(CONTROLLERS)" =~ ^[1-9][0-9]*$$ ]] || (( $(CONTROLLERS) % 2 == 0 )); then \
		echo "CONTROLLERS must be an odd number of controllers, such as 1 or 3 (got '$(CONTROLLERS)'):" \
			"Galera, RabbitMQ and OVN keep their quorum only with more than half of their members." >&2; exit 2; fi
	@case "$(LAB_DRIVER)" in fake|libvirt) ;; *) \
		echo "LAB_DRIVER must be fake or libvirt (got '$(LAB_DRIVER)')." >&2; exit 2;; esac

# Trees the tools need: ansible-test wants the collection under
# ansible_collections/NS/NAME with its dependencies beside it; pytest and
# ansible-lint import it through a symlink.
$(BUILD)/link/ansible_collections/$(COLLECTION):
	mkdir -p $(@D)
	ln -sfn $(CURDIR) $@

sanity-tree: venv
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)/$(COLLECTION) $(SANITY_ROOT)/openstack
	# The collection as it ships (galaxy.yml build_ignore): not the lab, the
	# benchmarks or the developer tools.
	git ls-files -co --exclude-standard -z | grep -z -v -E '^(lab|bench|tools)/' \
		| tar -c --null -T - | tar -x -C $(SANITY_ROOT)/$(COLLECTION)
	# Its own git repository: ansible-test lists the files to test with git,
	# and would otherwise find the outer one, where .build is ignored.
	cd $(SANITY_ROOT)/$(COLLECTION) && git init -q && git add -A
	cp -r $$($(VENV)/bin/python -c 'import ansible_collections.openstack.cloud as c; print(c.__path__[0])') \
		$(SANITY_ROOT)/openstack/cloud
	# ansible-test fetches get-pip.py from a host we cannot reach; give it an offline one.
	for v in $$(cat $(VENV)/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py \
		$(VENV_LATEST)/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py 2>/dev/null \
		| sed -n "s/^ *pip='\([0-9.]*\)',/\1/p" | sort -u); do \
		f=$$HOME/.ansible/test/cache/get_pip_$${v//./_}.py; \
		[ -e $$f ] || install -D -m 0644 tools/get_pip_offline.py $$f; done

# --- tests -----------------------------------------------------------------

# The gate: each part timed, the times shown at the end. The static checks
# run beside the lab scenario, at the lowest CPU and IO priority: they use
# what the lab leaves idle while it waits on its services. Their output goes
# to .build/logs and is shown when one fails. Each part's exit code is kept
# in $(TIMES); lab/times.py says from it which parts failed.
STATIC_PARTS := sanity units lint build-check
test: check-args venv $(BUILD)/link/ansible_collections/$(COLLECTION)
	@mkdir -p $(BUILD)/logs && rm -f $(TIMES) $(BUILD)/logs/*
	@for part in $(STATIC_PARTS); do \
		nice -n 19 ionice -c 3 $(TIMED) --beside $$part -- $(MAKE) --no-print-directory $$part \
			> $(BUILD)/logs/$$part.log 2>&1 || true; \
	done & static=$$!; \
	$(TIMED) 'scenario $(GATE_SCENARIO)' -- $(MAKE) --no-print-directory molecule SCENARIO=$(GATE_SCENARIO) || true; \
	wait $$static; \
	passed=true; failed=$$($(VENV)/bin/python lab/times.py failed $(TIMES) $(STATIC_PARTS) 'scenario $(GATE_SCENARIO)') \
		|| passed=false; \
	for part in $(STATIC_PARTS); do [ -e $(BUILD)/logs/$$part.log ] || continue; \
		if grep -qx $$part <<< "$$failed"; then \
			echo "=== $$part FAILED; the end of its log ($(BUILD)/logs/$$part.log):"; \
			tail -n 150 $(BUILD)/logs/$$part.log; \
		else echo "=== $$part passed ($(BUILD)/logs/$$part.log)"; fi; done; \
	$(VENV)/bin/python lab/times.py show $(TIMES); \
	$$passed || { echo "make test: failed: $$(echo $$failed)" >&2; exit 1; }
	@echo 'make test: all passed'

# The full matrix: every scenario the gate leaves out (or the one named by
# SCENARIO), each on a lab of its own; a failed one does not stop the next.
test-all: check-args venv
	@mkdir -p $(BUILD) && rm -f $(TIMES)
	@failed=; for s in $(or $(SCENARIO),$(MATRIX_SCENARIOS)); do \
		$(TIMED) "scenario $$s" -- $(MAKE) --no-print-directory molecule SCENARIO=$$s || failed="$$failed $$s"; \
	done; $(VENV)/bin/python lab/times.py show $(TIMES); \
	if [ -n "$$failed" ]; then echo "make test-all: failed:$$failed" >&2; exit 1; fi
	@echo 'make test-all: all passed'

sanity: venv
	@if [ -n "$(PYTHON_LATEST)" ]; then $(MAKE) --no-print-directory venv-latest; fi
	$(MAKE) --no-print-directory sanity-tree
	cd $(SANITY_ROOT)/$(COLLECTION) && $(VENV)/bin/ansible-test sanity --venv --python 3.11 --color no
	@if [ -z "$(PYTHON_LATEST)" ]; then \
		echo 'SKIPPED: sanity on the newest ansible-core: no Python >= 3.12 on this machine.'; \
	else py=$(PYTHON_LATEST); \
		ver=$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
		echo "sanity on $$($(VENV_LATEST)/bin/ansible --version | sed -n 1p), Python $$ver"; \
		cd $(SANITY_ROOT)/$(COLLECTION) && PATH=$$(dirname $$py):$$PATH \
			$(VENV_LATEST)/bin/ansible-test sanity --venv --python $$ver --color no; fi

units: venv $(BUILD)/link/ansible_collections/$(COLLECTION)
	cd $(BUILD)/link/ansible_collections/$(COLLECTION) && \
		PYTHONPATH=$(BUILD)/link $(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/unit lab/tests bench/tests

lint: venv $(BUILD)/link/ansible_collections/$(COLLECTION)
	$(ACTIVATE) ansible-lint
	$(VENV)/bin/antsibull-changelog lint

# The built tarball must install into an empty path and show its plugins.
build-check: venv
	rm -rf $(BUILD)/galaxy && mkdir -p $(BUILD)/galaxy
	$(VENV)/bin/ansible-galaxy collection build --output-path $(BUILD)/galaxy .
	$(VENV)/bin/ansible-galaxy collection install --offline --no-deps \
		-p $(BUILD)/galaxy/installed $(BUILD)/galaxy/stackroll-lifecycle-*.tar.gz
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/galaxy/installed $(VENV)/bin/ansible-doc -l stackroll.lifecycle \
		| tee $(BUILD)/galaxy/plugins.txt
	grep -q '^stackroll.lifecycle.compute_service ' $(BUILD)/galaxy/plugins.txt
	# AWX: ansible-builder must find the collection's own dependencies. (grep
	# reads it all: with -q it would stop early and break the pipe.)
	$(VENV)/bin/ansible-builder introspect --sanitize $(BUILD)/galaxy/installed | grep openstacksdk >/dev/null
	# The execution environment's build context (no base image can be pulled
	# here, so it is not built): it carries the tested pins and system packages.
	$(VENV)/bin/ansible-builder create -f ee/execution-environment.yml -c $(BUILD)/ee >/dev/null
	cmp meta/ee-requirements.txt $(BUILD)/ee/_build/requirements.txt
	cmp meta/ee-bindep.txt $(BUILD)/ee/_build/bindep.txt

# One scenario (SCENARIO, by default the gate's) on the lab: it makes the
# lab, deploys, verifies and removes it.
molecule: check-args venv $(BUILD)/link/ansible_collections/$(COLLECTION)
	@$(MAKE) --no-print-directory host-deps
	@$(LAB_ENV) $(LAB_IMAGE_BUILD) localhost/stackroll-lab
	cd extensions && $(ACTIVATE) $(LAB_ENV) $(LAB_CLOUD) $(LAB_RELEASES) \
		export STACKROLL_TIMES=$(TIMES) STACKROLL_TIMES_ROOT=$(CURDIR); \
		molecule test -s $(or $(SCENARIO),$(GATE_SCENARIO))

# --- lab, demo, benchmarks ---------------------------------------------------

# The lab at the release before the newest (made first if it is not up) is
# probed, checked against the newest release's APIs, and rolled to it with
# evacuation while workloads run and the prober watches; it ends with the
# upgrade report.
demo: check-args venv host-deps $(BUILD)/link/ansible_collections/$(COLLECTION)
	@[ -e lab/.state/clouds.yaml ] || $(MAKE) --no-print-directory lab RELEASE=$(OLDER_RELEASE)
	$(ACTIVATE) $(LAB_ENV) $(LAB_CLOUD) ansible-playbook $(LAB_INVENTORY) lab/demo.yml \
		-e upgrade_release=$(NEWEST_RELEASE) -e api_compat_profile=$(CURDIR)/lab/demo-profile.yml \
		-e probe_report_file=$(CURDIR)/lab/.state/probe-report.json \
		-e evacuation_state_dir=$(CURDIR)/lab/.state/evacuation

lab: check-args venv host-deps $(BUILD)/link/ansible_collections/$(COLLECTION)
	$(LAB_ENV) $(LAB_IMAGE_BUILD) localhost/stackroll-lab
	$(ACTIVATE) $(LAB_ENV) ansible-playbook lab/create.yml -e lab_computes=$(COMPUTES) -e lab_controllers=$(CONTROLLERS)
	$(ACTIVATE) $(LAB_ENV) ansible-playbook $(LAB_INVENTORY) playbooks/site.yml \
		-e openstack_release=$(or $(RELEASE),$(NEWEST_RELEASE))
	$(ACTIVATE) $(LAB_ENV) ansible-playbook $(LAB_INVENTORY) lab/clouds.yml
	@echo "The lab is up. Use it with: $(LAB_CLOUD)"

lab-down: venv
	$(ACTIVATE) $(LAB_ENV) ansible-playbook lab/destroy.yml

# The real guests' drill (docs/libvirt.md), on a lab made with
# LAB_DRIVER=libvirt COMPUTES=2 or more.
lab-drill: venv $(BUILD)/link/ansible_collections/$(COLLECTION)
	$(ACTIVATE) $(LAB_ENV) $(LAB_CLOUD) ansible-playbook $(LAB_INVENTORY) lab/libvirt_drill.yml

# The serial baseline is the openstack CLI, installed as the newest release
# was tested with it; matplotlib draws the plots.
BENCH_VENV := $(CURDIR)/.venv-bench
BENCH_CONSTRAINTS := lab/constraints/upper-constraints-master-2026-08-22.txt
$(BENCH_VENV)/.installed:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --disable-pip-version-check python-openstackclient matplotlib \
		-c $(BENCH_CONSTRAINTS)
	touch $@

# Benchmarks run on the lab, made first if it is not up. The drain runs
# there; the re-run rebuilds it at the older release with 4 computes (site.yml
# twice), and the upgrade rolls that to the newest. Figures and plots go to
# bench/results.
bench: check-args venv $(BENCH_VENV)/.installed $(BUILD)/link/ansible_collections/$(COLLECTION)
	@[ -e lab/.state/clouds.yaml ] || $(MAKE) --no-print-directory lab
	$(ACTIVATE) $(LAB_ENV) $(LAB_CLOUD) $(BENCH_VENV)/bin/python bench/evacuate.py \
		--openstack $(BENCH_VENV)/bin/openstack --out $(CURDIR)/bench/results $(BENCH_ARGS)
	$(ACTIVATE) $(LAB_ENV) $(LAB_CLOUD) $(BENCH_VENV)/bin/python bench/rerun.py \
		--release $(OLDER_RELEASE) --out $(CURDIR)/bench/results
	$(ACTIVATE) $(LAB_ENV) $(LAB_CLOUD) $(BENCH_VENV)/bin/python bench/upgrade.py \
		--to $(NEWEST_RELEASE) --out $(CURDIR)/bench/results
	$(ACTIVATE) $(LAB_ENV) $(LAB_CLOUD) $(BENCH_VENV)/bin/python bench/scale.py \
		--out $(CURDIR)/bench/results

clean:
	rm -rf $(VENV) $(VENV_LATEST) $(BENCH_VENV) $(BUILD) .ansible tests/output
