"""The explanations of the worked solutions: the idea behind each exercise's solution and the
common mistakes (``worked("03.bell_state")`` shows them with the lesson's solution code and
the reference solution of this package as a second way).

They live beside the reference solutions, so they ship where solutions ship (a checkout,
the source archive) and never in the wheel.
"""

WORKED = {
    "00.plus_state": {
        "reasoning": "|+⟩ = (|0⟩ + |1⟩)/√2 lists its amplitudes directly: 1/√2 for |0⟩ and "
        "1/√2 for |1⟩. The squares add up to 1, so the state is normalised.",
        "mistakes": [
            "Returning [1, 1]: not normalised, the probabilities would add up to 2.",
            "Returning the probabilities [0.5, 0.5] instead of the amplitudes.",
        ],
    },
    "00.x_on_qubit": {
        "reasoning": "An empty n-qubit circuit starts in |0…0⟩; X on qubit k flips that one "
        "qubit. The check compares the circuit's state, which in Qiskit's notation has the 1 "
        "in position k from the right.",
        "mistakes": [
            "Putting the X on qubit n − 1 − k because bitstrings are read from the left.",
            "Adding measurements: the check wants the state.",
        ],
    },
    "01.normalize": {
        "reasoning": "A state vector must have length 1, so divide by its 2-norm "
        "sqrt(Σ|a_k|²). Converting to complex first keeps complex amplitudes intact; the zero "
        "vector has no direction and gets a clear error.",
        "mistakes": [
            "Dividing by the sum of the amplitudes, or by the sum of their squares without "
            "the absolute value (wrong for complex numbers).",
            "Converting to float, which drops imaginary parts.",
            "Dividing by zero for the zero vector instead of raising ValueError.",
        ],
    },
    "01.measurement_probabilities": {
        "reasoning": "The Born rule gives P(k) = |a_k|² = a_k · conj(a_k), a real number; the "
        "probabilities of a normalised state add up to 1.",
        "mistakes": [
            "Squaring complex amplitudes (a**2), which gives complex or negative numbers.",
            "Returning a complex array instead of real probabilities.",
        ],
    },
    "01.bloch_angles": {
        "reasoning": "Up to a global phase the state is cos(θ/2)|0⟩ + e^{iφ} sin(θ/2)|1⟩. The "
        "magnitudes give θ = 2·arctan2(|β|, |α|), stable at both poles; the relative phase "
        "arg(β·conj(α)) gives φ, independent of any global phase. φ is brought into [0, 2π) "
        "and set to 0 at the poles, where it is undefined.",
        "mistakes": [
            "θ = 2·arccos(α) with a complex α, or without the absolute value.",
            "φ = angle(β) alone, which changes when the state has a global phase.",
            "Returning φ in (−π, π] instead of [0, 2π).",
        ],
    },
    "01.prepare_state": {
        "reasoning": "RY(θ)|0⟩ = cos(θ/2)|0⟩ + sin(θ/2)|1⟩ sets the magnitudes; the phase gate "
        "P(φ) then multiplies only |1⟩ by e^{iφ}. The order matters: the phase is added "
        "after the rotation.",
        "mistakes": [
            "Applying the phase before the RY, where it acts on |0⟩ only and does nothing.",
            "Using RX(θ), which gives the amplitude −i sin(θ/2) on |1⟩: the phase is off by −π/2.",
        ],
    },
    "01.minus_i_circuit": {
        "reasoning": "H|0⟩ = (|0⟩ + |1⟩)/√2, then S† = diag(1, −i) puts −i on |1⟩.",
        "mistakes": [
            "Using S, which gives (|0⟩ + i|1⟩)/√2.",
            "Applying S† before H, where it does nothing to |0⟩.",
        ],
    },
    "02.x_from_h_and_z": {
        "reasoning": "H exchanges the Z and X bases, so H Z H = X: Z's sign flip of |1⟩ "
        "becomes a bit flip in the other basis.",
        "mistakes": ["Z then H (or H then Z) alone, which is not X."],
    },
    "02.apply_single_qubit_gate": {
        "reasoning": "Reshape the 2^n amplitudes into a tensor with one axis of size 2 per "
        "qubit. In C order axis 0 is the highest qubit, so qubit q is axis n − 1 − q; apply "
        "the 2×2 gate along that axis (tensordot), move the new axis back into place and "
        "flatten. This costs O(2^n) instead of building a 2^n × 2^n matrix.",
        "mistakes": [
            "Using axis q instead of n − 1 − q: the gate lands on the mirrored qubit.",
            "Forgetting np.moveaxis after tensordot, which puts the gate's axis first.",
            "Building kron(G, I, …) in textbook order instead of Qiskit's.",
        ],
    },
    "02.ry_angle_for_probability": {
        "reasoning": "P(1) = sin²(θ/2), so θ = 2·arcsin(√p1), which lies in [0, π] for p1 in "
        "[0, 1].",
        "mistakes": [
            "Forgetting the factor 2 (the half angle).",
            "θ = arcsin(p1) without the square root.",
        ],
    },
    "02.is_unitary": {
        "reasoning": "U is unitary iff U†U = I. Compare the largest deviation from the "
        "identity with a tolerance, and reject anything that is not a square 2-D matrix "
        "first.",
        "mistakes": [
            "Using the transpose without the conjugate.",
            "Exact comparison with ==, which fails for matrices with 1/√2 entries.",
            "Crashing on non-square input instead of returning False.",
        ],
    },
    "02.swap_from_cnots": {
        "reasoning": "Three XORs swap two bits: CX(0, 1), CX(1, 0), CX(0, 1). The construction "
        "works on superpositions too, because it is correct on every basis state and gates "
        "are linear.",
        "mistakes": ["Three CNOTs in the same direction, which is just one CNOT."],
    },
    "03.bell_state": {
        "reasoning": "H on the control and a CNOT turn |00⟩ into |Φ+⟩ = (|00⟩ + |11⟩)/√2. The "
        "other three differ from it by a Pauli on one qubit: Z adds the minus sign (|Φ−⟩), X "
        "makes the qubits disagree (|Ψ+⟩), and both give |Ψ−⟩ up to a global phase. The "
        "reference flips the input bits instead: the target's bit makes a Ψ state, the "
        "control's gives the minus sign because H|1⟩ = |−⟩.",
        "mistakes": [
            "Adding the flip after the CNOT on the wrong qubit, which changes the sign pattern.",
            "Mixing up Qiskit's qubit order when reading |01⟩ and |10⟩.",
            "Returning a circuit for an unknown name instead of raising.",
        ],
    },
    "03.ghz_circuit": {
        "reasoning": "H on qubit 0 makes (|0⟩ + |1⟩)/√2; each CNOT from qubit 0 copies its "
        "basis value onto one more qubit, giving (|0…0⟩ + |1…1⟩)/√2.",
        "mistakes": [
            "H on every qubit, which makes the uniform superposition, a product state.",
            "Starting the loop at 0, a CNOT from a qubit to itself.",
        ],
    },
    "03.is_entangled": {
        "reasoning": "Reshape the four amplitudes into a 2×2 matrix. Its singular values are "
        "the Schmidt coefficients; the state is a product iff the second one is 0 (rank 1).",
        "mistakes": [
            "Calling a state entangled because all its amplitudes are non-zero: |+⟩|+⟩ is a "
            "product.",
            "Comparing the determinant with 0 exactly instead of with atol.",
        ],
    },
    "03.reduced_density_matrix": {
        "reasoning": "Tracing out a qubit sums over its two values. qiskit.quantum_info's "
        "partial_trace does it when given the qubits to remove; the kept qubits stay in "
        "Qiskit's order.",
        "mistakes": [
            "Passing `keep` to partial_trace, which traces out those qubits instead.",
            "Reversing the qubit order (axis q instead of n − 1 − q) in a NumPy version.",
            "Returning a Qiskit DensityMatrix instead of a NumPy array.",
        ],
    },
    "03.chsh_value": {
        "reasoning": "E(a, b) = ⟨Φ+|A(a) ⊗ B(b)|Φ+⟩ with A(t) = cos(t)Z + sin(t)X. For |Φ+⟩ it "
        "is cos(a − b); S combines four correlations with one minus sign and reaches 2√2 at "
        "the best angles.",
        "mistakes": [
            "Putting the minus sign on the wrong term.",
            "Using sin(t)Z + cos(t)X, which swaps the roles of the angles.",
        ],
    },
    "04.expectation_from_counts": {
        "reasoning": "A Z-type Pauli string has eigenvalue (−1)^(parity of the bits under its "
        "Z letters). Averaging the eigenvalue over the shots estimates ⟨P⟩. String and "
        "bitstring are written in the same order, so positions match directly.",
        "mistakes": [
            "Reversing one of the strings, which pairs each Z with the wrong bit.",
            "Dividing by the number of distinct outcomes instead of the number of shots.",
        ],
    },
    "04.measure_pauli": {
        "reasoning": "Each letter is measured in its own basis: H maps X to Z, S†·H maps Y to "
        "Z. After the rotations a Z measurement of every non-identity qubit gives bits whose "
        "parity is the Pauli string's eigenvalue.",
        "mistakes": [
            "Using H alone for Y, or S instead of S†.",
            "Reading the Pauli string left to right as qubits 0, 1, …",
            "Changing the learner's input circuit instead of a copy.",
        ],
    },
    "04.shots_needed": {
        "reasoning": "The two-sided Hoeffding bound 2·exp(−2Nε²) ≤ δ gives "
        "N ≥ ln(2/δ)/(2ε²); the smallest whole N is the ceiling.",
        "mistakes": [
            "round() or int(), which can return one shot too few.",
            "The one-sided bound exp(−2Nε²), which forgets the factor 2.",
        ],
    },
    "04.mitigate_readout": {
        "reasoning": "Independent read-out errors with the same rates make the n-qubit "
        "confusion matrix the tensor power of the 2×2 one. Undo them by applying the inverse "
        "2×2 matrix along each qubit's axis of a (2, …, 2) array of probabilities (the "
        "lesson), or by solving M p_true = p_noisy with the full matrix (the reference). The "
        "answer may have small negative entries (a quasi-probability).",
        "mistakes": [
            "Writing M with rows and columns swapped (its columns are the true states).",
            "Forgetting to divide counts by the number of shots.",
            "Clipping negatives silently, which changes the expectation values.",
        ],
    },
    "05.basis_encoding": {
        "reasoning": "X on each qubit whose bit is 1, reading the string from the right "
        "because the rightmost character is qubit 0.",
        "mistakes": ["Reading the string left to right, which prepares the reversed state."],
    },
    "05.angle_encoding": {
        "reasoning": "One qubit per feature with RY(x_i): cos(x_i/2)|0⟩ + sin(x_i/2)|1⟩.",
        "mistakes": ["Using RX or RZ: RZ on |0⟩ only adds a global phase."],
    },
    "05.amplitude_encoding": {
        "reasoning": "Normalise x and let Qiskit's exact state preparation build the circuit; "
        "the length must be a power of two and the vector non-zero.",
        "mistakes": [
            "Forgetting to normalise, which prepare_state rejects.",
            "Accepting a length that is not a power of two.",
        ],
    },
    "05.zz_feature_map": {
        "reasoning": "Each repetition: H on all qubits, P(2x_i) on each, and for each pair "
        "CX, P(2(π − x_i)(π − x_j)), CX, which applies a phase depending on the parity of "
        "the two qubits.",
        "mistakes": [
            "Forgetting the factor 2 in the phase angles.",
            "Putting the pair phase on the control instead of the target.",
            "Only neighbouring pairs (linear entanglement) instead of all pairs.",
        ],
    },
    "06.state_fidelity": {
        "reasoning": "F = |⟨a|b⟩|²; np.vdot conjugates its first argument.",
        "mistakes": [
            "np.dot without conjugation, wrong for complex states.",
            "Forgetting to square the magnitude.",
        ],
    },
    "06.kernel_matrix": {
        "reasoning": "Simulate each point's state once, then all overlaps are one matrix "
        "product: K = |SX* · SYᵀ|².",
        "mistakes": [
            "Simulating the states inside a double loop (slow: len(X)·len(Y) simulations).",
            "Returning a square matrix when X and Y have different lengths.",
        ],
    },
    "06.is_valid_kernel": {
        "reasoning": "Symmetric (Hermitian) within atol, and the smallest eigenvalue of the "
        "symmetrised matrix at least −atol.",
        "mistakes": [
            "np.linalg.eigvals on a non-symmetric matrix: complex eigenvalues.",
            "Requiring eigenvalues > 0 strictly: a PSD matrix may have zero eigenvalues.",
        ],
    },
    "06.train_qsvm": {
        "reasoning": "An SVM only needs the kernel. Passing the fidelity kernel of the ZZ "
        "feature map to scikit-learn's SVC gives a QSVM; the reference computes the ZZ "
        "states with a direct formula and uses a precomputed kernel.",
        "mistakes": [
            "A precomputed kernel at fit time but raw features at predict time.",
            "A classical kernel, which is not the task.",
        ],
    },
    "07.parameter_shift_gradient": {
        "reasoning": "For gates generated by Paulis, f(θ) is a sinusoid in each parameter, so "
        "[f(θ + π/2) − f(θ − π/2)]/2 is its exact derivative.",
        "mistakes": [
            "Shifting all parameters at once.",
            "Dividing by π instead of 2, or using a small finite-difference step.",
            "Changing params in place.",
        ],
    },
    "07.vqe_ground_energy": {
        "reasoning": "Minimise ⟨ψ(w)|H|ψ(w)⟩ over an expressive two-qubit ansatz with a "
        "classical optimiser and a few random restarts; by the variational principle every "
        "value is an upper bound of the ground energy.",
        "mistakes": [
            "An ansatz with RY only: real amplitudes cannot reach every ground state.",
            "One optimiser run from one start, which can end in a local minimum.",
        ],
    },
    "08.parity_probability": {
        "reasoning": "Count the 1s of each outcome (spaces removed); the odd ones, weighted by "
        "their counts, over all shots.",
        "mistakes": ["Counting spaces or register separators as bits."],
    },
    "08.cross_entropy": {
        "reasoning": "Clip p into [ε, 1 − ε] and average −[y log p + (1 − y) log(1 − p)].",
        "mistakes": [
            "No clipping: log(0) gives inf and 0·inf gives nan.",
            "Summing instead of averaging.",
        ],
    },
    "08.train_vqc": {
        "reasoning": "A VQC with enough layers (or data re-uploading) and a parity read-out "
        "separates two moons; a gradient-based optimiser with exact gradients trains it in "
        "seconds.",
        "mistakes": [
            "One layer, which cannot draw the curved boundary.",
            "Too many iterations for the time limit.",
        ],
    },
    "09.qnn_forward": {
        "reasoning": "Simulate the QNN circuit and take ⟨Z⟩ of qubit n − 1, which in a Pauli "
        "string is the leftmost letter.",
        "mistakes": [
            "'I' * (n − 1) + 'Z', which measures qubit 0.",
            "Returning the complex expectation value.",
        ],
    },
    "09.qnn_weight_gradient": {
        "reasoning": "Each weight is the angle of one RY gate, so two shifted forward passes "
        "give its exact derivative.",
        "mistakes": [
            "Shifting a weight array in place and not undoing it.",
            "Returning a flat array instead of shape (L, n).",
        ],
    },
    "09.train_hybrid": {
        "reasoning": "A linear layer maps features to angles, the QNN maps angles to ⟨Z⟩, and a "
        "logistic output turns that into a probability; the chain rule trains all of them "
        "together.",
        "mistakes": [
            "Training the QNN alone on raw features.",
            "No fixed seed: a different result on every run.",
        ],
    },
    "10.boltzmann_distribution": {
        "reasoning": "Subtracting the largest exponent keeps every exp() in range; the common "
        "factor cancels in the normalisation.",
        "mistakes": [
            "Computing exp(−βE) directly: overflow to inf or underflow to 0 for large β.",
            "Subtracting the minimum of E with the wrong sign.",
        ],
    },
    "10.gibbs_state": {
        "reasoning": "exp(−βH) through the eigendecomposition: exponentiate the shifted "
        "eigenvalues and rebuild; divide by the trace.",
        "mistakes": [
            "np.exp(H) elementwise instead of a matrix exponential.",
            "No shift by the ground energy: overflow for large β.",
        ],
    },
    "10.train_qbm": {
        "reasoning": "The model distribution is the diagonal of exp(−H)/Z. Minimising "
        "KL(target ‖ model) over the weights (or following the bound gradient: data average "
        "minus model average of each Z and ZZ term) fits it.",
        "mistakes": [
            "Signs: with ρ ∝ exp(−H) a positive weight lowers the probability of states "
            "where its term is +1.",
            "Reading the probabilities in textbook order instead of Qiskit's.",
        ],
    },
    "11.transpile_for_backend": {
        "reasoning": "A preset pass manager for the backend maps the circuit to its basis "
        "gates and connectivity; a fixed seed makes the layout reproducible.",
        "mistakes": [
            "Passing the qmlkit wrapper where Qiskit expects a BackendV2.",
            "Optimisation level 0, which can leave a circuit far longer than needed.",
        ],
    },
    "11.fold_gates": {
        "reasoning": "G (G†G)^k equals G ideally, but runs 2k + 1 noisy gates, so the noise "
        "scales by 2k + 1.",
        "mistakes": [
            "Folding the whole circuit when the task asks for each gate.",
            "Folding barriers, or accepting an even scale.",
        ],
    },
    "11.richardson_extrapolate": {
        "reasoning": "The interpolating polynomial through the points, evaluated at 0; the "
        "Lagrange form gives it without solving a system.",
        "mistakes": [
            "A straight-line fit through more than two points.",
            "Evaluating at scale 1 instead of 0.",
        ],
    },
    "11.run_bell_experiment": {
        "reasoning": "H and CNOT prepare |Φ+⟩; transpile for the backend and sample; ideally "
        "only '00' and '11' appear.",
        "mistakes": [
            "Forgetting the measurements, which gives no counts.",
            "Ignoring the shots argument.",
        ],
    },
    # -- lesson 06 (later exercises) --
    "06.alignment_gradient": {
        "reasoning": "A = ⟨K, T⟩_F / (‖K‖_F ‖T‖_F) is a quotient in which both ⟨K, T⟩_F and "
        "‖K‖_F depend on θ (T and ‖T‖_F = n do not). The quotient rule with "
        "d‖K‖_F = ⟨K, dK⟩_F / ‖K‖_F gives dA = ⟨dK, T⟩_F / (‖K‖_F ‖T‖_F) − A ⟨K, dK⟩_F / ‖K‖_F², "
        "one number per parameter; einsum('pij,ij->p', ...) does all parameters at once.",
        "mistakes": [
            "Treating ‖K‖_F as a constant (only the first term).",
            "T = np.outer(y, y) with 0/1 labels: T must be ±1 by comparing labels.",
            "Returning the gradient of the loss 1 − A (the sign flipped).",
        ],
    },
    "06.geometric_difference": {
        "reasoning": "Take the matrix square root of K_Q from its eigen-decomposition, solve "
        "with K_C + reg·I instead of inverting a nearly singular matrix, and take the square "
        "root of the largest eigenvalue of the symmetric PSD result (its spectral norm).",
        "mistakes": [
            "np.sqrt(K_Q), which takes the root of every entry, not of the matrix.",
            "np.linalg.norm(M, np.inf), the largest row sum, instead of the spectral norm.",
            "Swapping the kernels: g(K_C ‖ K_Q) inverts the classical one.",
        ],
    },
    # -- lesson 07 (later exercises) --
    "07.shared_parameter_gradient": {
        "reasoning": "Give every gate its own angle φ_j = a·θ_k + b. The two-term rule gives "
        "∂f/∂φ_j exactly, one gate at a time, and the chain rule adds them up: ∂C/∂θ_k is the "
        "sum over the gates j that use θ_k of a_j · [f(φ + π/2 e_j) − f(φ − π/2 e_j)]/2.",
        "mistakes": [
            "Keeping only one gate per parameter (for example `grad[k] = ...` in a loop over "
            "the gates, which keeps the last one, instead of `grad[k] += ...`).",
            "Forgetting the factor a of a scaled angle.",
            "Shifting θ_k itself by ±π/2: that moves all its gates at once, and the two-term "
            "rule is then no longer exact.",
            "Returning one entry per gate instead of one per parameter.",
        ],
    },
    "07.spsa_step": {
        "reasoning": "Compute the gains a_k = a/(k+1)^0.602 and c_k = c/(k+1)^0.101, "
        "evaluate f at θ + c_k·Δ and θ − c_k·Δ, form ĝ = [f₊ − f₋]/(2c_k) · Δ (for ±1 "
        "entries 1/Δ_i = Δ_i) and return θ − a_k·ĝ as a new array.",
        "mistakes": [
            "Dividing by c_k instead of 2c_k.",
            "Adding a_k·ĝ (ascent) instead of subtracting it.",
            "Using k instead of k + 1 in the gains (a division by zero at k = 0).",
            "Drawing a new random Δ instead of using the one given.",
            "Updating theta in place, which changes the caller's array.",
        ],
    },
    # -- lesson 08 (later exercises) --
    "08.class_probabilities": {
        "reasoning": "Every shot lands on one bitstring; int(key, 2) reads it with qubit 0 as the "
        "least-significant bit, and that integer modulo n_classes is its class. Adding the "
        "counts per class and dividing by the shots gives probabilities that add up to one.",
        "mistakes": [
            "Reading the key from the left (int(key[::-1], 2)): qubit 0 is the rightmost "
            "character.",
            "Returning only the classes that occurred, so the array is shorter than n_classes.",
            "Forgetting the spaces between classical registers in keys such as '01 1'.",
        ],
    },
    "08.train_only_pipeline": {
        "reasoning": "A scaler, a PCA and a min-max scaler all learn numbers from the data they "
        "are fitted on (means, directions, ranges). Fitted on X_train alone and applied to "
        "both splits, the test points stay unseen, as new data would be.",
        "mistakes": [
            "Fitting on train and test together (or fit_transform on X_test): the test score "
            "then uses information the model should not have.",
            "PCA without standardising first, so the feature with the largest units decides "
            "the components.",
            "Scaling to [0, 1] instead of to rotation angles in [0, π].",
        ],
    },
    # -- lesson 10 (later exercises) --
    "10.mmd_loss": {
        "reasoning": "Build the kernel matrix K[x, y] = mean over the bandwidths of "
        "exp(−d(x, y)/(2σ²)), d the Hamming distance (bin(x ^ y).count('1')). Then the three "
        "expectations are quadratic forms: MMD² = pᵀKp − 2 pᵀKq + qᵀKq = (p − q)ᵀK(p − q).",
        "mistakes": [
            "Using the distance of the integer indices, (x − y)², instead of the number of "
            "differing bits: 3 = '11' and 4 = '100' are neighbours as integers but differ in "
            "three bits.",
            "Forgetting the 2 of the cross term, or returning the square root (the MMD itself).",
            "Summing the kernels of several bandwidths instead of averaging them.",
        ],
    },
    "10.born_machine_gradient": {
        "reasoning": "MMD² is quadratic in p, so ∂MMD²/∂θ_i = 2 (K(p − q))ᵀ ∂p/∂θ_i. Each "
        "p(x) is an expectation value (of |x⟩⟨x|), so the shift rule gives ∂p/∂θ_i = "
        "(p₊ − p₋)/2 with p± at θ_i ± π/2. The 2 and the 1/2 cancel: "
        "(p₊ − p₋)ᵀK(p − q), which expands to the four expectations E_{p₊,p}k − E_{p₋,p}k − "
        "E_{p₊,q}k + E_{p₋,q}k.",
        "mistakes": [
            "Keeping both the 2 and the 1/2 (or neither): the gradient is off by a factor of 2.",
            "Shifting by π: p(θ + π) = p(θ − π), so every entry is 0.",
            "Dropping the target terms, or using a finite difference instead of the shift rule.",
        ],
    },
    # -- lesson 12 (later exercises) --
    "12.pooling_layer": {
        "reasoning": "One block per (source, sink) pair, all with the same three angles: RY(a) "
        "on the source, then RY(b) on the sink if the source is 1 (a CRY with the source as "
        "control) and RY(c) if it is 0 (the same CRY between two X gates on the source, or "
        "ctrl_state=0). Measuring the source and rotating the sink by the outcome would give "
        "the sink the same state; deferring the measurement makes the layer a unitary.",
        "mistakes": [
            "Using the sink as the control (source and sink swapped).",
            "Numbering the qubits n − 1 − q, as if qubit 0 were the leftmost bit.",
            "Forgetting the second X, which leaves the source flipped.",
            "Swapping b and c: RY(b) belongs to the outcome 1.",
        ],
    },
    "12.train_qcnn": {
        "reasoning": "The ground states are the input states themselves (quantum data): a "
        "QCNNClassifier with input='state' runs its convolution and pooling levels on them "
        "and reads one qubit. Its 19 shared angles train in seconds with exact gradients.",
        "mistakes": [
            "Treating the 256 amplitudes as classical features (one qubit each).",
            "A tiny iteration budget, which stops before the loss has fallen.",
            "Relabelling the phases, so that the predictions come out inverted.",
        ],
    },
    # -- lesson 13 (later exercises) --
    "13.fourier_coefficients": {
        "reasoning": "A trigonometric polynomial of degree d is fixed by 2d + 1 values. At "
        "N = 2d + 1 equally spaced points x_j = 2 pi j / N the phases e^{ikx_j} are "
        "orthogonal, so c_k = (1/N) sum_j f(x_j) e^{-ikx_j}: np.fft.fft divided by N, "
        "reordered with np.fft.fftshift to run from c_-d to c_d.",
        "mistakes": [
            "Forgetting to divide by N, or returning NumPy's FFT order (c_0 first).",
            "Sampling with np.linspace(0, 2 pi, N), which takes x = 0 and x = 2 pi, the same "
            "point, twice.",
            "Too few samples (fewer than 2d + 1), so high frequencies alias onto low ones.",
        ],
    },
    "13.train_regressor": {
        "reasoning": "The target 2 + 3 sin 2x - cos x has frequency 2 and values beyond "
        "[-1, 1]: a one-qubit re-uploading model with at least two uploads of x and a "
        "trainable output scale and offset fits it down to the noise in a second.",
        "mistakes": [
            "One upload, whose Fourier series stops at frequency 1.",
            "Reading out <Z> without scale and offset, which stays inside [-1, 1].",
        ],
    },
    # -- lesson 14 (later exercises) --
    "14.to_wire_order": {
        "reasoning": "Entry k belongs to the basis state whose n-bit string is k in binary. "
        "Qiskit reads that string as q(n-1) … q1 q0, PennyLane and Cirq as w0 w1 … w(n-1), so "
        "the same state has its entry at the index whose n-bit string is k's reversed. As a "
        "tensor v.reshape([2] * n), axis j is the j-th bit from the left; reversing the order "
        "of all the axes reverses the bits, and .reshape(-1) flattens it back. The map is its "
        "own inverse, so one function converts both ways.",
        "mistakes": [
            "v[::-1]: it sends k to 2^n − 1 − k, which flips every bit (an X on every qubit) "
            "instead of reversing their order.",
            "Transposing only some axes (np.moveaxis, swapaxes(0, 1)): right for 2 qubits by "
            "luck, a different qubit permutation from 3 qubits on.",
            "Reversing bin(k)[2:] without padding it to n bits.",
            "Converting to float, which drops the imaginary parts of amplitudes.",
        ],
    },
    "14.port_circuit": {
        "reasoning": "Read circuit.data: each instruction has a name, its parameters and its "
        "qubits (circuit.find_bit(q).index). A table from Qiskit names to PennyLane "
        "operations translates them one by one, keeping qubit i on wire i; the QNode on a "
        "default.qubit device with circuit.num_qubits wires returns qml.state(). The circuit "
        "is then the same, and its state is Qiskit's state with its labels read the other "
        "way round: to_wire_order converts one into the other. rz and p (PhaseShift) differ "
        "by a global phase only, so either is right for either.",
        "mistakes": [
            "Putting qubit i on wire n − 1 − i to 'fix' the order: that moves the qubits, and "
            "the state comes out in Qiskit's labelling instead of PennyLane's.",
            "qml.CNOT(wires=[target, control]): the control comes first, as in Qiskit.",
            "Porting sdg and tdg as S and T instead of their inverses (qml.adjoint).",
            "Skipping gate names the table does not know (swap, say) instead of translating them.",
        ],
    },
    # -- lesson 15 (later exercises) --
    "15.shadow_estimate": {
        "reasoning": "A snapshot's estimate of a Pauli string P is a product over the qubits "
        "where P is not I: 3 · outcome when that qubit was measured in P's basis, 0 when it "
        "was not. The bases match with probability 3^-w, which the factor 3^w undoes, so the "
        "mean over ALL N snapshots is unbiased. The snapshot lists are indexed by qubit, the "
        "Pauli label is in Qiskit order: qubit q has the letter pauli[-1 - q].",
        "mistakes": [
            "Forgetting the factor 3 per non-identity qubit: the estimate is 3^w too small.",
            "Reading the Pauli label left to right as qubits 0, 1, ...: qubit 0 is its "
            "rightmost letter.",
            "Dividing by the number of matching snapshots instead of N (or averaging only "
            "the matching snapshots without the 3^w: a fair estimator, but not the shadow one).",
            "Requiring a basis match on the qubits where the Pauli is I: they put no condition "
            "on the snapshot.",
        ],
    },
    "15.shadow_sample_bound": {
        "reasoning": "A snapshot estimate of a weight-w Pauli lies in [-3^w, 3^w]. "
        "Hoeffding's inequality for the mean of N such values gives "
        "2·exp(-2Nε²/(2·3^w)²) = 2·exp(-Nε²/(2·9^w)); a union bound over M observables "
        "multiplies it by M. Solving 2M·exp(-Nε²/(2·9^w)) ≤ δ gives "
        "N = 2·9^w·ln(2M/δ)/ε², rounded up.",
        "mistakes": [
            "Using 3^w instead of 9^w: Hoeffding's bound has the square of the range.",
            "Forgetting the union bound, ln(2/δ) instead of ln(2M/δ).",
            "Rounding down (int() or round()) instead of math.ceil.",
        ],
    },
    "15.fourier_surrogate": {
        "reasoning": "A re-uploading model with L encodings RY(x_i) of each feature is a "
        "trigonometric polynomial with integer frequencies |ω_i| ≤ L. With a column of ones "
        "and cos(X·ω), sin(X·ω) for one ω of each pair ±ω (every ω in {-degree..degree}^d, "
        "mixed signs included), least squares finds its coefficients exactly; the same "
        "columns built for X_new, times the coefficients, give the surrogate's values.",
        "mistakes": [
            "Only non-negative frequency vectors, or no mixed ones: cos(x1 - x2) is then missing.",
            "Cosines only, or no constant column.",
            "range(degree) instead of range(degree + 1): one frequency short.",
            "Returning the values at the training inputs X (or the coefficients) instead of "
            "the values at X_new.",
        ],
    },
    # -- lesson 16 (later exercises) --
    "16.run_project": {
        "reasoning": "Load the data, split the row indices first (train_test_split with "
        "stratify=y and random_state=seed), and put every step that learns from data inside "
        "a Pipeline (scaler, PCA, angle scaling, the quantum model with random_state=seed), "
        "fitted on X[train_index] only. Fit a classical baseline pipeline on the same rows, "
        "score both with .score(X[test_index], y[test_index]) and return the raw X and y "
        "with the indices, the fitted models and the scores.",
        "mistakes": [
            "Scaling or reducing (PCA) all rows before the split, so the test rows shape the "
            "preprocessing.",
            "Fitting the model on all rows, or scoring it on the training rows.",
            "A fixed random_state (or none) instead of the seed argument.",
            "A baseline scored on another split than the quantum model.",
        ],
    },
}
