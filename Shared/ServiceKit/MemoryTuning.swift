#if canImport(Glibc)
import Glibc
#endif

/// Process-wide memory settings for a service.
enum MemoryTuning {
    /// glibc gives each thread that allocates concurrently an arena of its own, up to 8 per
    /// core, and keeps freed memory in them; with librdkafka's, Dispatch's and the
    /// cooperative pool's threads a service's resident memory crept up with the work it had
    /// done. Two arenas keep it flat at no measurable cost here (the hot paths allocate on
    /// one or two threads at a time). Called first thing in `main`; `MALLOC_ARENA_MAX` in the
    /// environment still wins.
    static func apply() {
        #if canImport(Glibc)
        if getenv("MALLOC_ARENA_MAX") == nil { _ = glibcMallopt(mArenaMax, 2) }
        #endif
    }

    #if canImport(Glibc)
    /// `M_ARENA_MAX` from <malloc.h>, which Swift's Glibc module does not include.
    private static let mArenaMax: Int32 = -8
    #endif
}

#if canImport(Glibc)
/// glibc's `int mallopt(int param, int value)` (declared in <malloc.h>).
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
