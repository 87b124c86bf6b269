# Thin wrapper over the two README commands; no logic of its own.
.PHONY: run test check bench clean
run:
	scripts/run.sh
test:
	scripts/test.sh
check:
	scripts/checksrc.sh
bench:
	scripts/bench.sh
clean:
	rm -rf build build-test tests/artifacts
