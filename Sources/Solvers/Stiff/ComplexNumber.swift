/// The few complex operations the stability functions of the stiff tableaus need (z = hλ in ℂ).
struct ComplexNumber {
    var re: Double, im: Double

    init(_ re: Double, _ im: Double = 0) {
        self.re = re
        self.im = im
    }

    init(_ z: (re: Double, im: Double)) { self.init(z.re, z.im) }

    var tuple: (re: Double, im: Double) { (re, im) }

    static func + (x: Self, y: Self) -> Self { Self(x.re + y.re, x.im + y.im) }
    static func - (x: Self, y: Self) -> Self { Self(x.re - y.re, x.im - y.im) }
    static func * (x: Self, y: Self) -> Self { Self(x.re * y.re - x.im * y.im, x.re * y.im + x.im * y.re) }
    static func * (k: Double, x: Self) -> Self { Self(k * x.re, k * x.im) }
    static func / (x: Self, y: Self) -> Self {
        let d = y.re * y.re + y.im * y.im
        return Self((x.re * y.re + x.im * y.im) / d, (x.im * y.re - x.re * y.im) / d)
    }
}
