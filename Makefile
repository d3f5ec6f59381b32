# FamilyHub's two everyday commands are `make run` and `make test`; both work
# in a fresh clone with nothing set in the environment.

GO   ?= go
SQLC := $(GO) tool -modfile=tools/go.mod sqlc

.PHONY: bench bench-pg bench-compare load cluster cluster-down run test build generate check-generated vet fmt-check postgres-bin test-tools clean

## run: build and start `familyhub dev` (private PostgreSQL + demo family) on :8080
run: postgres-bin build
	./bin/familyhub dev

## test: vet, formatting, sqlc freshness and the whole suite under -race on a throwaway PostgreSQL
## (-timeout 90m: the browser package takes ~17 min on a quiet 2-core machine and has
## taken 40 min under load; 45m left too little room)
test: postgres-bin test-tools vet fmt-check check-generated
	$(GO) run ./cmd/pgrun -- $(GO) test -race -count=1 -timeout 90m ./...

build:
	$(GO) build -o bin/familyhub ./cmd/familyhub

## generate: regenerate db/dbsqlc from queries/*.sql and db/migrations
generate:
	$(SQLC) generate

## check-generated: fail when the committed sqlc output is stale
check-generated:
	@$(SQLC) diff || { echo "db/dbsqlc is stale: run 'make generate' and commit the result"; exit 1; }

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.familyhub/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## postgres-bin: make sure PostgreSQL's server binaries are installed
postgres-bin:
	@./deploy/ensure-postgres.sh

## test-tools: what the suite drives besides PostgreSQL (a browser, a CalDAV server)
test-tools:
	@./deploy/ensure-chromium.sh
	@./deploy/ensure-radicale.sh
	@./deploy/ensure-nginx.sh

## cluster: the production shape on loopback: PostgreSQL, three replicas, nginx (see docs/operations.md)
cluster: postgres-bin build
	@./deploy/cluster.sh up

## cluster-down: stop what `make cluster` started
cluster-down:
	@./deploy/cluster.sh down

clean:
	rm -rf bin

## load: the load tool against `make cluster`'s replicas (see docs/benchmarks.md for the recorded runs)
load: build
	$(GO) run ./cmd/familyhub-bench -urls http://127.0.0.1:8081,http://127.0.0.1:8082 -families 200 -devices 4 -rate 50 -duration 15s

## bench-pg: the pgbench ceiling table of docs/benchmarks.md, against a durable PostgreSQL
## (BENCH_PG_URL, default make cluster's; BENCH_BASE=<baseline binary> adds its triggers)
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:15432
bench-pg: build
	./cmd/familyhub-bench/pgceiling.sh -u $(BENCH_PG_URL) -b new=bin/familyhub $(if $(BENCH_BASE),-b base=$(BENCH_BASE))

## bench-compare: end-to-end, relay and idle-socket runs against BENCH_BASE (a baseline binary)
bench-compare: build
	./cmd/familyhub-bench/compare.sh -u $(BENCH_PG_URL) -b $(BENCH_BASE)

## bench: the benchmarks recorded in docs/benchmarks.md
bench: postgres-bin
	$(GO) run ./cmd/pgrun -- $(GO) test -run '^$$' -bench 'WriteToDelivery|FanOutConcurrent' -benchtime 2000x -count 1 ./cmd/familyhub/
	$(GO) run ./cmd/pgrun -- $(GO) test -run '^$$' -bench 'IdleSocketMemory' -benchtime 5000x -count 1 ./cmd/familyhub/
