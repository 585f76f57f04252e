//! The 300-line detection query over DeviceNetworkEvents that the latency
//! bench and the check-cost example both edit, so their figures compare.

/// A 300-line detection query over DeviceNetworkEvents.
pub fn query_300_lines() -> String {
    let mut q = String::from(
        "let Ports = dynamic([22, 3389, 5985, 5986]);\nlet Lookback = 7d;\nDeviceNetworkEvents\n| where Timestamp > ago(Lookback)\n",
    );
    let mut i = 0;
    while q.lines().count() < 296 {
        q.push_str(&format!(
            "| where RemotePort in (Ports) or RemoteUrl has \"host{i}.example\" or InitiatingProcessFileName =~ \"tool{i}.exe\"\n| extend Score{i} = iif(RemotePort == {}, {i}, 0)\n",
            1000 + i
        ));
        i += 1;
    }
    q.push_str("| summarize Connections = count(), Hosts = make_set(RemoteUrl, 100) by DeviceName, bin(Timestamp, 1h)\n| where Connections > 10\n| project Timestamp, DeviceName, Connections, Hosts\n| order by Connections desc\n");
    q
}
