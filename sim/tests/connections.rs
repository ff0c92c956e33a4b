//! Connections the simulator must serve side by side: a first download opens one for each
//! of its date windows at once, while the client's pool keeps earlier ones open.
//!
//! Written when the simulator ran on tiny_http, whose connection pool could hand two
//! connections accepted back to back to one thread and leave the second unread (the desktop
//! end-to-end test hung on it). The server is axum now; the behaviour is still the one to keep.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use withings_sim::{Sim, SimConfig};

fn connect(sim: &Sim) -> TcpStream {
    let addr = sim.url().trim_start_matches("http://").to_string();
    let s = TcpStream::connect(addr).expect("the simulator accepts");
    // A bound on the wait, so a connection never served fails the test instead of hanging it.
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("a read timeout");
    s
}

fn send(s: &mut TcpStream) {
    s.write_all(b"GET /_sim/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").expect("the request is sent");
}

/// Reads one whole answer and leaves the connection open for the next; its status line, or
/// why there was none.
fn answer(s: &mut TcpStream) -> Result<String, String> {
    let mut r = BufReader::new(s);
    let mut status = String::new();
    r.read_line(&mut status).map_err(|e| e.to_string())?;
    let mut length = 0;
    loop {
        let mut line = String::new();
        r.read_line(&mut line).map_err(|e| e.to_string())?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().map_err(|_| format!("a bad length: {line}"))?;
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).map_err(|e| e.to_string())?;
    Ok(status.trim().to_string())
}

#[test]
fn connections_opened_at_once_are_all_answered_while_earlier_ones_stay_open() {
    let sim = Sim::start(SimConfig { years: 1, control: true, ..SimConfig::default() })
        .expect("the simulator starts");
    let mut open: Vec<TcpStream> = Vec::new();
    for round in 0..4 {
        // Kept-alive connections, as a client's pool keeps them between requests.
        for _ in 0..2 {
            let mut s = connect(&sim);
            send(&mut s);
            assert_eq!(answer(&mut s).as_deref(), Ok("HTTP/1.1 200 OK"), "round {round}: a lone connection");
            open.push(s);
        }
        // Then several at once, as the windows of a first download open them.
        let mut burst: Vec<TcpStream> = (0..4).map(|_| connect(&sim)).collect();
        for s in &mut burst {
            send(s);
        }
        for (i, s) in burst.iter_mut().enumerate() {
            let got = answer(s);
            assert_eq!(
                got.as_deref(),
                Ok("HTTP/1.1 200 OK"),
                "round {round}: connection {i} of 4 opened at once"
            );
        }
        open.extend(burst);
    }
    // The earlier connections are still served too.
    for s in &mut open {
        send(s);
        assert_eq!(answer(s).as_deref(), Ok("HTTP/1.1 200 OK"), "a kept connection");
    }
}
