/// The element-wise activation applied by ``linear(_:weight:bias:activation:)`` after its matrix product.
public enum Activation: Sendable, Hashable, CaseIterable {
    /// f(z) = z.
    case identity
    /// f(z) = tanh z; derivative 1 − f².
    case tanh
    /// f(z) = max(z, 0); derivative 1 where f > 0, else 0.
    case relu
    /// f(z) = 1 / (1 + e^(−z)); derivative f(1 − f).
    case sigmoid
}
