"""NumPy twin of bench/crossbar.ts: a 128x128 crossbar, ideal and with line resistance.

Ideal product: V @ G (one vector, or a batch of K as a K x M matrix).

Line resistance: the nodal system of src/models/crossbar/system.ts (row-line
deviations u and column-line voltages w, A x = b), as a NumPy/SciPy user
solves it:
  - "scipy": when SciPy is there (Debian: python3-scipy), the sparse matrix
    in CSC form and a sparse LU (scipy.sparse.linalg.splu, SuperLU): one
    factorisation, then one solve per input vector, or a batch through the
    transfer matrix (M solves with unit inputs at once, then V @ T);
  - "numpy-cg": otherwise, the same preconditioned CG as the TypeScript
    side, vectorised: matrix-vector products by slicing, the tridiagonal
    sweeps as Python loops over the N (row lines) or M (column lines) sweep
    positions with vector operations across the lines.
A dense numpy.linalg.solve is out of reach: the system has 2*128*128 =
32768 unknowns (8.6 GB dense).

Case (argv[1], JSON): rows, columns, kind ("ideal" | "single" | "batch"),
batch (K), params (rowResistance, columnResistance), solver ("auto" |
"numpy-cg"), calls (ideal only: products per timed run, so that a
microsecond product is resolved; the median is per run). Inputs (same bits as the TypeScript side): G_ij = 1e-6 *
1e3**frac((i*N + j)*a1) S, V_bi = 2 frac((b*M + i)*a2) - 1 V. Prints the
median, the solver used and a checksum (sum of the output currents).
"""
import numpy as np

from _timing import case, report

A1, A2 = 0.6180339887498949, 0.41421356237309515


def frac(c, a):
    x = c * a
    return x - np.floor(x)


def inputs(m, n, k):
    g = 1e-6 * 1e3 ** frac(np.arange(m * n, dtype=np.float64), A1)
    v = 2 * frac(np.arange(k * m, dtype=np.float64), A2) - 1
    return g.reshape(m, n), v.reshape(k, m)


def sparse_system(g, gr, gc):
    import scipy.sparse as sp

    m, n = g.shape
    cells = m * n
    idx = np.arange(cells).reshape(m, n)
    row_diag = (np.where(np.arange(n) < n - 1, 2 * gr, gr)[None, :] + g).ravel()
    col_diag = (np.where(np.arange(m) > 0, 2 * gc, gc)[:, None] + g).ravel()
    r, c, d = [np.arange(cells), cells + np.arange(cells)], [np.arange(cells), cells + np.arange(cells)], [row_diag, col_diag]
    left, right = idx[:, 1:].ravel(), idx[:, :-1].ravel()
    up, down = idx[1:, :].ravel(), idx[:-1, :].ravel()
    r += [left, right, cells + up, cells + down, np.arange(cells), cells + np.arange(cells)]
    c += [right, left, cells + down, cells + up, cells + np.arange(cells), np.arange(cells)]
    d += [np.full(left.size, -gr), np.full(left.size, -gr), np.full(up.size, -gc), np.full(up.size, -gc), -g.ravel(), -g.ravel()]
    return sp.csc_matrix((np.concatenate(d), (np.concatenate(r), np.concatenate(c))), shape=(2 * cells, 2 * cells))


def rhs(g, v):
    # b = [-G*V; G*V] per input: (2MN, K)
    cur = (g[None, :, :] * v[:, :, None]).reshape(v.shape[0], -1)
    return np.concatenate([-cur, cur], axis=1).T


class LineCG:
    """Preconditioned CG of system.ts, vectorised over lines."""

    def __init__(self, g, gr, gc, tol=1e-13):
        m, n = g.shape
        self.g, self.gr, self.gc, self.m, self.n, self.tol = g, gr, gc, m, n, tol
        self.dr = np.where(np.arange(n) < n - 1, 2 * gr, gr)[None, :] + g
        self.dc = np.where(np.arange(m) > 0, 2 * gc, gc)[:, None] + g
        self.pr, self.mr = np.zeros((m, n)), np.zeros((m, n))
        prev = np.zeros(m)
        for j in range(n):
            piv = self.dr[:, j] - (gr * gr * prev if j else 0)
            self.mr[:, j] = gr * prev if j else 0
            prev = 1 / piv
            self.pr[:, j] = prev
        self.pc, self.mc = np.zeros((m, n)), np.zeros((m, n))
        prev = np.zeros(n)
        for i in range(m):
            piv = self.dc[i] - (gc * gc * prev if i else 0)
            self.mc[i] = gc * prev if i else 0
            prev = 1 / piv
            self.pc[i] = prev

    def matvec(self, u, w):
        yu = self.dr * u
        yu[:, :-1] -= self.gr * u[:, 1:]
        yu[:, 1:] -= self.gr * u[:, :-1]
        yu -= self.g * w
        yw = self.dc * w
        yw[:-1] -= self.gc * w[1:]
        yw[1:] -= self.gc * w[:-1]
        yw -= self.g * u
        return yu, yw

    def precondition(self, ru, rw):
        zu, zw = np.empty_like(ru), np.empty_like(rw)
        carry = np.zeros(self.m)
        for j in range(self.n):
            carry = ru[:, j] + self.mr[:, j] * carry
            zu[:, j] = carry
        nxt = np.zeros(self.m)
        for j in range(self.n - 1, -1, -1):
            nxt = self.pr[:, j] * (zu[:, j] + self.gr * nxt)
            zu[:, j] = nxt
        carry = np.zeros(self.n)
        for i in range(self.m):
            carry = rw[i] + self.mc[i] * carry
            zw[i] = carry
        nxt = np.zeros(self.n)
        for i in range(self.m - 1, -1, -1):
            nxt = self.pc[i] * (zw[i] + self.gc * nxt)
            zw[i] = nxt
        return zu, zw

    def solve(self, v):
        cur = self.g * v[:, None]
        bu, bw = -cur, cur.copy()
        u, w = np.zeros_like(bu), np.zeros_like(bw)
        ru, rw = bu.copy(), bw.copy()
        goal = self.tol**2 * (np.vdot(bu, bu) + np.vdot(bw, bw))
        zu, zw = self.precondition(ru, rw)
        pu, pw = zu.copy(), zw.copy()
        rz = np.vdot(ru, zu) + np.vdot(rw, zw)
        for _ in range(10 * (self.m + self.n) + 100):
            qu, qw = self.matvec(pu, pw)
            alpha = rz / (np.vdot(pu, qu) + np.vdot(pw, qw))
            u += alpha * pu
            w += alpha * pw
            ru -= alpha * qu
            rw -= alpha * qw
            if np.vdot(ru, ru) + np.vdot(rw, rw) <= goal:
                break
            zu, zw = self.precondition(ru, rw)
            nxt = np.vdot(ru, zu) + np.vdot(rw, zw)
            pu, pw = zu + (nxt / rz) * pu, zw + (nxt / rz) * pw
            rz = nxt
        return self.gc * w[-1]


def main():
    params = case()
    m, n, kind = int(params["rows"]), int(params["columns"]), params["kind"]
    k = int(params.get("batch", 1))
    g, v = inputs(m, n, k)
    out = {}
    calls = int(params.get("calls", 1))
    if kind == "ideal":
        def run():
            for _ in range(calls):
                out["I"] = v @ g

        solver = "numpy"
    else:
        gr = 1 / params["params"]["rowResistance"]
        gc = 1 / params["params"]["columnResistance"]
        solver = params.get("solver", "auto")
        if solver == "auto":
            try:
                import scipy.sparse.linalg  # noqa: F401

                solver = "scipy"
            except ImportError:
                solver = "numpy-cg"
        if solver == "scipy":
            import scipy.sparse.linalg as sla

            def run():
                lu = sla.splu(sparse_system(g, gr, gc))
                if kind == "single":
                    out["I"] = gc * lu.solve(rhs(g, v)[:, 0])[-n:]
                else:
                    # transfer matrix: M solves with unit inputs, then the batch as a product
                    t = gc * lu.solve(rhs(g, np.eye(m)))[-n:].T
                    out["I"] = v @ t
        else:
            def run():
                cg = LineCG(g, gr, gc)
                if kind == "single":
                    out["I"] = cg.solve(v[0])
                else:
                    t = np.stack([cg.solve(e) for e in np.eye(m)])
                    out["I"] = v @ t
    run()
    report(params, run, solver=solver, calls=calls, checksum=float(np.sum(out["I"])))


main()
