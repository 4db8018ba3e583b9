#!/usr/bin/env bash
# What the test suite needs from Debian, installed and started; run as root
# on a fresh Debian machine (the README's test command and .ci/run both run
# it). Idempotent: what is there already is left as it is.
#
# - socat makes the serial PTY pairs the serial-driver tests talk over;
# - python3-numpy reads a run straight from the SQLite store as the README
#   shows (numpy.frombuffer), python3-h5py opens the HDF5 exports,
#   python3-scipy's least_squares cross-checks the fitting engine: all run
#   by /usr/bin/python3, Debian's, whatever python3 is first on PATH;
# - python3-zmq and python3-protobuf run the gateway's Python example
#   (examples/python/), whose message code protoc (protobuf-compiler) makes
#   from proto/gateway.proto;
# - postgresql is the run store's second backend: its cluster is started
#   and a role and database made for the tests (PMS_TEST_POSTGRES, default
#   postgres://pms:pms@127.0.0.1:5432/pms_test).
set -euo pipefail

missing=()
command -v socat >/dev/null 2>&1 || missing+=(socat)
/usr/bin/python3 -c "import numpy" >/dev/null 2>&1 || missing+=(python3-numpy)
/usr/bin/python3 -c "import h5py" >/dev/null 2>&1 || missing+=(python3-h5py)
/usr/bin/python3 -c "import scipy.optimize" >/dev/null 2>&1 || missing+=(python3-scipy)
/usr/bin/python3 -c "import zmq" >/dev/null 2>&1 || missing+=(python3-zmq)
/usr/bin/python3 -c "import google.protobuf" >/dev/null 2>&1 || missing+=(python3-protobuf)
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
command -v pg_ctlcluster >/dev/null 2>&1 && [ -n "$(pg_lsclusters -h 2>/dev/null)" ] || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The first cluster Debian made (15/main on bookworm); pg_ctlcluster works as
# root, where initdb and pg_ctl refuse to.
read -r pg_version pg_cluster _ < <(pg_lsclusters -h | head -n 1)
pg_ctlcluster "$pg_version" "$pg_cluster" start 2>/dev/null || pg_ctlcluster "$pg_version" "$pg_cluster" status >/dev/null
as_postgres() { su postgres -s /bin/sh -c "$1"; }
as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'pms'\"" | grep -q 1 ||
  as_postgres "psql -qc \"CREATE ROLE pms LOGIN PASSWORD 'pms'\""
as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'pms_test'\"" | grep -q 1 ||
  as_postgres "createdb -O pms pms_test"

node --version
socat -V | head -n 1
/usr/bin/python3 -c "import numpy, h5py, scipy; print('numpy', numpy.__version__, 'h5py', h5py.__version__, 'scipy', scipy.__version__)"
/usr/bin/python3 -c "import zmq, google.protobuf; print('pyzmq', zmq.__version__, 'libzmq', zmq.zmq_version(), 'curve', zmq.has('curve'), 'protobuf', google.protobuf.__version__)"
protoc --version
PGPASSWORD=pms psql -h 127.0.0.1 -U pms -d pms_test -tAc "SELECT 'postgresql ' || current_setting('server_version')"
