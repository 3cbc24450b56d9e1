// One import for a user: `import ODENet` brings the tensor (`Autodiff`), the solvers (`Solvers`) and the
// platform's C library, so that `cos(angle)` on a `Double` resolves to libm next to the tensor overloads
// even where Foundation is not imported (and stays unambiguous where it is: Foundation re-exports the same
// module).
@_exported import Autodiff
@_exported import Solvers

#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#elseif canImport(ucrt)
@_exported import ucrt
#endif
