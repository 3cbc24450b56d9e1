import Requirements

/// An explicit Runge–Kutta method: a ``ButcherTableau`` plus the one generic stepper all methods share.
///
/// Any method can take fixed steps; only ``AdaptiveRungeKuttaMethod``s (those with an embedded error
/// estimate) accept an adaptive ``StepSizeController``, so `solve(_:using: .euler, controller:)` does not
/// compile.
public protocol RungeKuttaMethod: Sendable, CustomStringConvertible {
    /// The coefficients.
    var tableau: ButcherTableau { get }
}

/// A Runge–Kutta method with an embedded error estimate, usable with adaptive step sizes.
public protocol AdaptiveRungeKuttaMethod: RungeKuttaMethod {}

extension RungeKuttaMethod {
    /// The tableau's description.
    public var description: String { tableau.description }
    /// The order p of the propagated solution.
    @inlinable public var order: Int { tableau.order }
}

/// A fixed-step explicit Runge–Kutta method (any tableau).
public struct ExplicitRungeKutta: RungeKuttaMethod {
    /// The coefficients.
    public let tableau: ButcherTableau
    /// Wraps a tableau.
    ///
    /// - Parameter tableau: Any explicit tableau.
    public init(_ tableau: ButcherTableau) { self.tableau = tableau }
}

/// An embedded Runge–Kutta pair; takes adaptive or fixed steps.
public struct EmbeddedRungeKutta: AdaptiveRungeKuttaMethod {
    /// The coefficients (with `errorWeights`).
    public let tableau: ButcherTableau
    /// Wraps a tableau. Precondition: the tableau has an embedded error estimate.
    ///
    /// - Parameter tableau: A tableau with `errorWeights`.
    public init(_ tableau: ButcherTableau) {
        require(tableau.isAdaptive, "EmbeddedRungeKutta: \(tableau.name) has no embedded error estimate; use ExplicitRungeKutta")
        self.tableau = tableau
    }
    /// The order q used in the controller exponent 1/(q+1).
    @inlinable public var errorEstimateOrder: Int { tableau.errorEstimateOrder! }
}

extension RungeKuttaMethod where Self == ExplicitRungeKutta {
    /// Forward Euler, order 1.
    public static var euler: Self { ExplicitRungeKutta(.euler) }
    /// The explicit midpoint method, order 2.
    public static var midpoint: Self { ExplicitRungeKutta(.midpoint) }
    /// Heun's method, order 2.
    public static var heun: Self { ExplicitRungeKutta(.heun) }
    /// Classic RK4, order 4.
    public static var rk4: Self { ExplicitRungeKutta(.rk4) }
    /// The 3/8-rule RK4, order 4 (torchdiffeq's `rk4`).
    public static var rk38: Self { ExplicitRungeKutta(.rk38) }
    /// Heun's third-order method (torchdiffeq's `heun3`).
    public static var heun3: Self { ExplicitRungeKutta(.heun3) }
}

extension RungeKuttaMethod where Self == EmbeddedRungeKutta {
    /// Heun–Euler 2(1) (torchdiffeq's `adaptive_heun`).
    public static var heunEuler21: Self { EmbeddedRungeKutta(.heunEuler21) }
    /// Fehlberg 2(1) (torchdiffeq's `fehlberg2`).
    public static var fehlberg21: Self { EmbeddedRungeKutta(.fehlberg21) }
    /// Bogacki–Shampine 3(2).
    public static var bogackiShampine32: Self { EmbeddedRungeKutta(.bogackiShampine32) }
    /// Dormand–Prince 5(4) ("dopri5").
    public static var dormandPrince54: Self { EmbeddedRungeKutta(.dormandPrince54) }
    /// Dormand–Prince 5(4) with torchdiffeq's error estimate (torchdiffeq's "dopri5").
    public static var dormandPrince54Torchdiffeq: Self { EmbeddedRungeKutta(.dormandPrince54Torchdiffeq) }
    /// Tsitouras 5(4) ("Tsit5").
    public static var tsitouras54: Self { EmbeddedRungeKutta(.tsitouras54) }
    /// Dormand–Prince 8(5,3) ("DOP853").
    public static var dormandPrince853: Self { EmbeddedRungeKutta(.dormandPrince853) }
    /// Verner's "most efficient" 6(5) pair with its sixth-order interpolant (SciML's `Vern6`).
    public static var verner65: Self { EmbeddedRungeKutta(.verner65) }
    /// Verner's "most efficient" 7(6) pair with its interpolant (SciML's `Vern7`; of order 6, nearly 7).
    public static var verner76: Self { EmbeddedRungeKutta(.verner76) }
    /// Verner's "most efficient" 8(7) pair with its eighth-order interpolant (SciML's `Vern8`).
    public static var verner87: Self { EmbeddedRungeKutta(.verner87) }
    /// Verner's "most efficient" 9(8) pair with its ninth-order interpolant (SciML's `Vern9`).
    public static var verner98: Self { EmbeddedRungeKutta(.verner98) }
    /// Prince–Dormand RK8(7)13M (torchdiffeq's `dopri8`, diffrax's `Dopri8`), with a fifth-order interpolant.
    public static var princeDormand87: Self { EmbeddedRungeKutta(.princeDormand87) }
}

extension ButcherTableau {
    /// Every built-in tableau, for tests and benchmarks.
    public static var builtIn: [ButcherTableau] {
        [.euler, .midpoint, .heun, .heun3, .rk4, .rk38, .heunEuler21, .fehlberg21, .bogackiShampine32,
         .dormandPrince54, .dormandPrince54Torchdiffeq, .tsitouras54, .dormandPrince853, .verner65, .verner76,
         .verner87, .verner98, .princeDormand87]
    }
}
