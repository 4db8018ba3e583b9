"""NumPy twin of bench/mesh.ts: a batch of vectors through a Clements mesh.

Written as a NumPy user would: the cells' 2x2 matrices for all MZIs at
once (vectorised trig), then one of two propagation loops, then the output
phase screen.
  - "per-mzi": one Python iteration per MZI applying its 2x2 to the two
    rows it mixes, vectorised over the vectors (Y[m:m+2] = T[j] @ Y[m:m+2]);
    N(N-1)/2 iterations.
  - "per-column": one Python iteration per column (N of them): the
    column's mode pairs (m, m+1), m = c mod 2, c mod 2 + 2, ..., are a
    contiguous block of rows viewed as (pairs, 2, vectors), and all its
    MZIs are applied at once by a batched matrix product (T_column @ block,
    (pairs, 2, 2) @ (pairs, 2, vectors)). Of the per-column forms tried
    (batched matmul, einsum, broadcast products of the four entries with or
    without out= buffers) this was the fastest here, for 1024 vectors and
    for one.
Same cell
(Clements et al. 2016, eq. (1)), layout, phases and inputs as the bench
(src/models/photonic/mesh/): X is (N, n_vectors), column v = vector v.

Case (argv[1], JSON): size N, vectors, programming (true: the cells'
matrices are computed inside the timed call, from the phases; false: once,
before), variant ("per-mzi", the default, or "per-column"). Prints the
median and a checksum: sum of Re y, sum of Im y, and sum of (k + 1)|y_k|^2
over output modes k and vectors (the plain sum of |y|^2 would be the same
for every unitary mesh; weighting by mode checks where the power went).
"""
import numpy as np

from _timing import case, report


def clements_layout(n):
    """Top mode of each MZI, column by column: column c couples (m, m+1), m = c mod 2, c+2, ..."""
    return [m for c in range(n) for m in range(c % 2, n - 1, 2)]


def cells(theta, phi):
    """T_j = [[e^{i phi} cos theta, -sin theta], [e^{i phi} sin theta, cos theta]], shape (M, 2, 2)."""
    e = np.exp(1j * phi)
    c, s = np.cos(theta), np.sin(theta)
    T = np.empty((len(theta), 2, 2), dtype=complex)
    T[:, 0, 0] = e * c
    T[:, 0, 1] = -s
    T[:, 1, 0] = e * s
    T[:, 1, 1] = c
    return T


def propagate(T, modes, screen, X):
    Y = X.copy()
    for j, m in enumerate(modes):
        Y[m : m + 2] = T[j] @ Y[m : m + 2]
    Y *= screen[:, None]
    return Y


def column_blocks(n):
    """Per column c: (first MZI, first row, pairs); its MZIs couple rows start + 2i, start + 2i + 1."""
    blocks, first = [], 0
    for c in range(n):
        start = c % 2
        pairs = (n - start) // 2
        if pairs:
            blocks.append((first, start, pairs))
        first += pairs
    return blocks


def column_cells(T, blocks):
    """The cells of each column: (first row, pairs, T of its MZIs, shape (pairs, 2, 2))."""
    return [(start, pairs, T[first : first + pairs]) for first, start, pairs in blocks]


def propagate_columns(columns, screen, X):
    Y = X.copy()
    for start, pairs, t in columns:
        block = Y[start : start + 2 * pairs].reshape(pairs, 2, -1)
        block[...] = t @ block
    Y *= screen[:, None]
    return Y


def bench_phases(n, count):
    """The bench's deterministic phases (bench/mesh.ts, `benchPhases`)."""
    j = np.arange(1, count + 1)
    k = np.arange(1, n + 1)
    theta = (np.pi / 2) * ((j * 0.6180339887498949) % 1.0)
    phi = 2 * np.pi * ((j * 0.41421356237309515) % 1.0) - np.pi
    psi = 2 * np.pi * ((k * 0.7320508075688772) % 1.0) - np.pi
    return theta, phi, psi


def bench_inputs(n, vectors):
    """x[k][v] = cos(0.7k + 1.3v) + i sin(0.3k - 0.9v) (bench/mesh.ts, `benchInputs`)."""
    k = np.arange(n)[:, None]
    v = np.arange(vectors)[None, :]
    return np.cos(0.7 * k + 1.3 * v) + 1j * np.sin(0.3 * k - 0.9 * v)


def main():
    params = case()
    n, vectors = int(params["size"]), int(params["vectors"])
    modes = clements_layout(n)
    theta, phi, psi = bench_phases(n, len(modes))
    X = bench_inputs(n, vectors)
    if params.get("variant", "per-mzi") == "per-column":
        blocks = column_blocks(n)
        assert sum(pairs for _, _, pairs in blocks) == len(modes)
        if params["programming"]:
            def run():
                return propagate_columns(column_cells(cells(theta, phi), blocks), np.exp(1j * psi), X)
        else:
            columns, screen = column_cells(cells(theta, phi), blocks), np.exp(1j * psi)

            def run():
                return propagate_columns(columns, screen, X)
    elif params["programming"]:
        def run():
            return propagate(cells(theta, phi), modes, np.exp(1j * psi), X)
    else:
        T, screen = cells(theta, phi), np.exp(1j * psi)

        def run():
            return propagate(T, modes, screen, X)

    Y = run()
    weighted = float(((np.arange(n)[:, None] + 1) * np.abs(Y) ** 2).sum())
    report(params, run, checksum=[float(Y.real.sum()), float(Y.imag.sum()), weighted])


if __name__ == "__main__":
    main()
