# docgen — the two commands a newcomer types: `make demo` and `make test`.
# Both install what they need (Debian packages, fonts, .venv) and are quick when it is there.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_WS := demo

.PHONY: demo test city city-stop system venv lint templates clean

demo: system venv
	@mkdir -p $(DEMO_WS)
	$(BIN)/docgen -w $(DEMO_WS) doctor
	$(BIN)/docgen -w $(DEMO_WS) render examples/enping-2021/case.yaml -o $(DEMO_WS)/out --format both
	$(BIN)/docgen -w $(DEMO_WS) render examples/enping-2021/case.yaml -k set -o $(DEMO_WS)/out --format pdf
	@cp examples/enping-2021/case.yaml $(DEMO_WS)/case.yaml
	$(BIN)/docgen -w $(DEMO_WS) issue $(DEMO_WS)/case.yaml
	$(BIN)/docgen -w $(DEMO_WS) render examples/enping-2021-coordination/case.yaml -k request -k report -k letter -k minutes -o $(DEMO_WS)/out --format pdf
	@cp examples/enping-2021-coordination/case.yaml $(DEMO_WS)/coordination.yaml
	$(BIN)/docgen -w $(DEMO_WS) issue $(DEMO_WS)/coordination.yaml
	$(BIN)/docgen -w $(DEMO_WS) archive verify
	$(BIN)/docgen -w $(DEMO_WS) file 2021
	$(BIN)/docgen -w $(DEMO_WS) archive check --report $(DEMO_WS)/四性检测报告.pdf
	@echo "示例公文：$(DEMO_WS)/out/notice.pdf、$(DEMO_WS)/out/set.pdf、$(DEMO_WS)/out/request.pdf、$(DEMO_WS)/out/letter.pdf、$(DEMO_WS)/out/minutes.pdf；归档库：$(DEMO_WS)/archive/；归档副本：$(DEMO_WS)/filing/2021/；四性检测报告：$(DEMO_WS)/四性检测报告.pdf"
	@echo "在浏览器中查看示例归档库：$(BIN)/docgen -w $(DEMO_WS) serve  然后打开 http://127.0.0.1:8000/"

# The city profile on this machine: PostgreSQL and SeaweedFS (S3 with object lock) on 127.0.0.1 in
# $(CITY)/; two workspaces stand for two machines, each with a worker and a `docgen serve`, over one
# database and one bucket (tools/city_demo.py). Not a newcomer's set-up (that is `make demo`): what
# the README's 城市版 section shows; each run starts from empty. `make city-stop` stops the services.
CITY := city-demo
city: system venv
	@$(BIN)/python -m tools.city stop $(CITY)
	@rm -rf $(CITY)
	@$(BIN)/python -m tools.city start $(CITY) >/dev/null
	$(BIN)/python -m tools.city_demo $(CITY)
	@echo "城市版示例：发文字号、账户、检索、归档记录和事件日志在 PostgreSQL（$(CITY)/postgres），归档文件锁定存入对象存储（$(CITY)/objects）。"
	@echo "网页：$(BIN)/docgen -w $(CITY)/server-a serve（或 server-b，两台看到的一样）；停止数据库和对象存储：make city-stop"

city-stop: venv
	$(BIN)/python -m tools.city stop $(CITY)

test: system venv
	$(BIN)/ruff check docgen tests bench tools
	$(BIN)/ruff format --check docgen tests bench tools
	$(BIN)/mypy
	$(BIN)/pytest

system:
	@scripts/install-system.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,ocr,city]'
	@touch $(STAMP)

# Rebuild templates/official/*.docx from docgen/render/builder.py (commit the result).
templates: venv
	$(BIN)/python tools/build_templates.py

clean:
	-$(BIN)/python -m tools.city stop $(CITY) 2>/dev/null
	rm -rf $(VENV) $(DEMO_WS) $(CITY) out .pytest_cache .mypy_cache .ruff_cache
