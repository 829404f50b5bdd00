# The README's two commands:
#   make run    install requirements.txt and serve the app (python app.py)
#   make test   install requirements-dev.txt (+ Debian's chromium), lint with ruff, run the whole test suite
#   make serve N=2   N app processes behind nginx on PORT (8080); make serve-stop stops them (deploy/serve.py)
#
# Python environment: an active virtual environment ($VIRTUAL_ENV) is used as it is; otherwise
# `.venv/` is created with --system-site-packages, so a PyTorch already installed for the Python
# that makes it is reused instead of downloaded again, and Debian's "externally managed" system
# Python is never written to. `make VENV= run` installs into $(PYTHON) itself instead.
#
# MNIST: if MNIST_DATA_DIR is unset and ../shared/mnist exists (this project's offline copy of the
# four raw files), both commands point MNIST_DATA_DIR at it; otherwise the app and the tests use
# their own default: data/, downloading where it can. Drawn and pen digits for the tests are committed
# in tests/data/.

PYTHON ?= python3
VENV ?= .venv
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH
PYTEST_ARGS ?=
# The accessibility test's Lighthouse, pinned (version 13 needs a newer Node than Debian's), installed with
# npm outside the repository; tests/test_accessibility.py finds it here (or at $LIGHTHOUSE).
LIGHTHOUSE_VERSION := 12.2.3
LIGHTHOUSE_DIR ?= $(HOME)/.cache/mnist-demo/lighthouse-$(LIGHTHOUSE_VERSION)
export LIGHTHOUSE := $(LIGHTHOUSE_DIR)/node_modules/.bin/lighthouse
# Chinese text on the zh-CN page and its screenshots needs a CJK font (Debian's fonts-noto-cjk).
CJK_FONT ?= /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# Several app processes behind nginx (make serve; tests/test_deploy.py): Debian's nginx.
export NGINX ?= /usr/sbin/nginx
N ?= 2
PORT ?= 8080

ifdef VIRTUAL_ENV
  PY := $(VIRTUAL_ENV)/bin/python
  ENV_READY :=
else ifneq ($(strip $(VENV)),)
  PY := $(VENV)/bin/python
  ENV_READY := $(VENV)/bin/python
else
  PY := $(PYTHON)
  ENV_READY :=
endif

ifeq ($(origin MNIST_DATA_DIR),undefined)
  ifneq ($(wildcard $(CURDIR)/../shared/mnist/.),)
    export MNIST_DATA_DIR := $(abspath $(CURDIR)/../shared/mnist)
  endif
endif

# Root may run apt-get itself; anyone else goes through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-dev chromium cjk-font lighthouse nginx serve serve-stop

run: install
	$(PY) app.py

test: install-dev chromium cjk-font lighthouse nginx
	@echo "MNIST_DATA_DIR=$${MNIST_DATA_DIR:-<unset: tests read data/, downloading where they can>}"
	$(PY) -m ruff check .
	@$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests; that is a failure here." >&2; fi; \
	exit $$status

serve: install nginx
	$(PY) -m deploy.serve start --processes $(N) --port $(PORT)

serve-stop:
	$(PY) -m deploy.serve stop

install: $(ENV_READY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt

install-dev: $(ENV_READY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt

# The browser test drives Debian's Chromium (Playwright's own browser download is not used).
chromium:
	@if [ -x "$(CHROMIUM_PATH)" ]; then echo "chromium: $(CHROMIUM_PATH)"; \
	elif command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser test"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else echo "make test: $(CHROMIUM_PATH) is missing and apt-get is not available; install Chromium and pass CHROMIUM_PATH=/path/to/chromium." >&2; exit 1; fi

$(VENV)/bin/python:
	$(PYTHON) -m venv --system-site-packages $(VENV) || { \
	  echo "make: could not create $(VENV); on Debian install python3-venv, or run with VENV= to use $(PYTHON) directly." >&2; \
	  rm -rf $(VENV); exit 1; }

# Debian's Noto CJK fonts, for the zh-CN browser test and screenshots (text, not boxes).
cjk-font:
	@if [ -f "$(CJK_FONT)" ]; then echo "cjk font: $(CJK_FONT)"; \
	elif command -v apt-get >/dev/null; then \
	  echo "Installing Debian's fonts-noto-cjk for the zh-CN browser test"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk; \
	else echo "make test: $(CJK_FONT) is missing and apt-get is not available; install a CJK font (Noto Sans CJK) and pass CJK_FONT=/path/to/it." >&2; exit 1; fi

# Lighthouse $(LIGHTHOUSE_VERSION) from npm (needs node and npm: .ci/run installs them where missing).
lighthouse:
	@if [ -x "$(LIGHTHOUSE)" ]; then echo "lighthouse: $(LIGHTHOUSE)"; \
	elif command -v npm >/dev/null; then \
	  echo "Installing lighthouse@$(LIGHTHOUSE_VERSION) into $(LIGHTHOUSE_DIR)"; \
	  mkdir -p "$(LIGHTHOUSE_DIR)" && npm install --prefix "$(LIGHTHOUSE_DIR)" --no-audit --no-fund -q lighthouse@$(LIGHTHOUSE_VERSION) && \
	  [ -x "$(LIGHTHOUSE)" ] || { echo "make test: npm did not install $(LIGHTHOUSE)" >&2; exit 1; }; \
	else echo "make test: npm is missing; install Node.js and npm (Debian: nodejs npm) for the accessibility test." >&2; exit 1; fi

# Debian's nginx, for make serve and the loopback test of several processes behind it (tests/test_deploy.py).
nginx:
	@if [ -x "$(NGINX)" ]; then echo "nginx: $(NGINX)"; \
	elif command -v apt-get >/dev/null; then \
	  echo "Installing Debian's nginx for make serve and tests/test_deploy.py"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx; \
	else echo "make: $(NGINX) is missing and apt-get is not available; install nginx and pass NGINX=/path/to/nginx." >&2; exit 1; fi
