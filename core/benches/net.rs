//! `net` speed: the pure classifier, the cheap snapshot the watcher polls, and the full
//! snapshot (with NetworkManager, or its absence). Target: snapshot + classify under 5 ms.
//! Results are recorded in docs/BENCHMARKS.md.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use tebiki_core::net::{self, Snapshot};

fn fixture(case: &str) -> Snapshot {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/net")
        .join(case);
    let text = std::fs::read_to_string(dir.join("snapshot.json")).expect("fixture snapshot.json");
    #[allow(unused_mut)]
    let mut s: Snapshot = serde_json::from_str(&text).expect("fixture parses");
    #[cfg(target_os = "linux")]
    net::linux::fill_sysfs_details(&mut s, &dir.join("sys/class/net"));
    s
}

fn bench(c: &mut Criterion) {
    let wifi = fixture("wifi_metered_hotspot");
    let vpn = fixture("wireguard_over_wifi");
    c.bench_function("classify/wifi_metered_hotspot", |b| {
        b.iter(|| net::classify(black_box(&wifi)))
    });
    c.bench_function("classify/wireguard_over_wifi", |b| {
        b.iter(|| net::classify(black_box(&vpn)))
    });

    #[cfg(target_os = "linux")]
    {
        let sys = Path::new(net::linux::SYSFS_NET);
        c.bench_function("snapshot_quick+classify/live", |b| {
            b.iter(|| net::classify(&net::linux::base_snapshot_with_sysfs(black_box(sys))))
        });
    }

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    c.bench_function("snapshot_full+classify/live", |b| {
        b.iter(|| {
            let s = rt.block_on(net::snapshot()).expect("snapshot");
            net::classify(&s)
        })
    });
}

criterion_group! {
    name = benches;
    // Bounded: the machine is shared with other builds.
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
