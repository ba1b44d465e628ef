# The workbench for the vfio-pci dynamic MSI-X series. `make help` lists
# the targets; `make demo` and `make check` are the two README commands.
H := harness
KERNELS := stock baseline series followup
VARIANTS := test debug nomsi

.PHONY: help setup tree tree-7.3 check-7.3 check-more check-all export export-followup export-baseline export-mainline mail kernels demo demo-7.3 check bench bench-7.3 \
	hygiene vm selftest-workbench under-load cold-check archive-check clean
.DEFAULT_GOAL := help

##@ Run (the two README commands)

demo: tree ## Main job: build the patched kernel, boot it, show dynamic MSI-X at work
	@$(H)/demo.sh

check: tree tree-7.3 ## Run the tests CI runs: both lines' test kernels, the 7.3 debug kernel, hygiene, workbench (SERIES=series|followup|mainline: one series alone, every variant; HYGIENE=all: hygiene even where its record holds)
	@CHECK_SERIES=$(SERIES) tests/run.sh

##@ Test one series or one part

check-more: tree tree-7.3 ## The rest of the matrix: the 6.12 debug kernels, stock73-debug, arm64 of both lines
	@CHECK_SET=more tests/run.sh

check-all: tree tree-7.3 ## make check and make check-more in one run (six cold kernel builds; not timed)
	@CHECK_SET=all tests/run.sh

check-7.3: ## The mainline series alone: make check SERIES=mainline
	@$(MAKE) --no-print-directory check SERIES=mainline

demo-7.3: tree tree-7.3 ## The mainline series next to stock 7.3: a VF's MSI-X table resized under QEMU
	@WB_LINE=7.3 $(H)/demo.sh

hygiene: tree tree-7.3 ## Every series, per patch: builds (W=1, vfio modular, PCI_MSI=n), sparse, checkpatch, kernel-doc
	@for s in series followup mainline-msi mainline-vfio mainline-rfc; do $(H)/hygiene.sh $$s || exit; done

archive-check: setup ## git am PATCHES (default followup/) on every linux-source-6.12 the archive serves
	@$(H)/archive-check.sh $(or $(PATCHES),followup)

under-load: tree ## The kselftests RUNS times (10) on stock-debug and series-debug beside a kernel build
	@for k in "stock debug" "series debug"; do $(H)/kernel.sh $$k >/dev/null || exit; done
	@$(H)/selftests-build.sh >/dev/null
	@tests/under-load.sh $(or $(RUNS),10)

cold-check: ## What CI costs on a new machine: .ci/run on a fresh clone with an empty ccache (idle machine; README has the figures); DEMO=1: make demo first in the same clone, as a newcomer runs them
	@COLD_DEMO=$(DEMO) tests/cold-run.sh

selftest-workbench: tree ## Test the workbench itself (failing guest, hang, bad download, fault injection)
	@for k in "stock test" "series debug"; do $(H)/kernel.sh $$k >/dev/null || exit; done
	@$(H)/tools-build.sh msix-fault >/dev/null
	@tests/workbench.sh

##@ Develop a series

tree: setup ## Fetch and verify the base; build build/linux: base, baseline, series, followup
	@$(H)/base.sh tree

tree-7.3: setup ## Fetch and verify the 7.3 base; build build/linux-7.3: base, mainline-msi, mainline-vfio, mainline-rfc, mainline
	@WB_LINE=7.3 $(H)/base.sh tree

kernel-%: ## Build one kernel: kernel-NAME[-VARIANT], e.g. kernel-series-debug, kernel-stock73
	@$(H)/kernel.sh $(firstword $(subst -, ,$*)) $(or $(word 2,$(subst -, ,$*)),test) >/dev/null

kernels: tree ## Build the four test kernels: stock, baseline, series, followup
	@for k in $(KERNELS); do $(H)/kernel.sh $$k test >/dev/null || exit; done

vm: ## Boot KERNEL (e.g. series, series-debug) and run guest SCRIPT in it
	@$(H)/vm.sh $(or $(KERNEL),series) $(or $(SCRIPT),guest/smoke.sh)

export: ## Export the work tree's series commits into series/ (cover letter kept)
	@$(H)/export.sh series

export-followup: ## Export the work tree's followup commits into followup/ (cover letter kept)
	@$(H)/export.sh followup

export-baseline: ## Export the work tree's baseline commit into base/
	@$(H)/export.sh baseline

export-mainline: ## Export the 7.3 tree's mainline-msi, mainline-vfio and mainline-rfc commits into mainline/
	@$(H)/export.sh mainline-msi && $(H)/export.sh mainline-vfio && $(H)/export.sh mainline-rfc

mail: ## The mails that post series NAME (mainline-vfio, mainline-msi, ...), signed by whoever runs this
	@$(H)/mail.sh $(or $(NAME),mainline-vfio)

##@ Benchmark

bench: kernels ## Benchmarks on the four 6.12 kernels (paired boots); writes bench/results.md and plot
	@bench/run.sh

bench-7.3: tree tree-7.3 ## Benchmarks on stock73 and mainline (paired boots); writes bench/results-7.3.md
	@WB_LINE=7.3 $(H)/kernel.sh stock73 test >/dev/null && WB_LINE=7.3 $(H)/kernel.sh mainline test >/dev/null
	@WB_LINE=7.3 bench/run.sh

##@ Other

setup: ## Install build tools, sparse, ccache, busybox and QEMU 10 (idempotent)
	@$(H)/setup.sh

clean: ## Remove kernel outputs and VM runs (keeps the work tree and download)
	rm -rf build/out build/vm build/logs
	@[ ! -d build/arm64 ] || echo "build/arm64 (the arm64 guest root, made as root) is kept: remove it as root"

help: ## List the targets, grouped by what they are for
	@awk -F':.*## ' '/^##@ / { printf "\n%s:\n", substr($$0, 5) } /^[a-zA-Z0-9%_.-]+:.*## / { printf "  %-22s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
