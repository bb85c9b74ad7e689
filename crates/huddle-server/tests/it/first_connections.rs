//! The first sockets of a project arrive together — after a restart, every open tab reconnects at
//! once — and every one of them stays connected and gets answered. `/chat/{project}` namespaces
//! are created on first use; two first connections used to create two, the second replacing the
//! first, and a socket of the replaced one was closed on its first event.

use crate::common;

use common::{wait, TestServer};
use futures::future::join_all;
use huddle_bench::socket::EngineConnection;
use serde_json::json;

const PROJECTS: usize = 40;
const SOCKETS: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_that_open_a_project_together_all_stay_connected() {
    let server = TestServer::start_with(|c| {
        c.realtime.connections_per_user = SOCKETS;
        c.realtime.events_per_second = 10 * SOCKETS;
    })
    .await;
    let admin = server.admin_token().await;
    let base = format!("http://{}", server.addr);
    let auth = json!({ "token": admin }).to_string();
    for p in 0..PROJECTS {
        let project = format!("together{p}");
        server.create_project(&admin, &project).await;
        let opened = join_all((0..SOCKETS).map(|_| EngineConnection::open(&base))).await;
        let namespace = format!("/chat/{project}");
        let joined = join_all(
            opened
                .into_iter()
                .map(|c| c.expect("open").join(&namespace, &auth)),
        )
        .await;
        let answers = join_all(joined.into_iter().enumerate().map(|(n, client)| {
            let content = format!("socket {n} says hello");
            async move {
                let mut client = client.expect("join");
                tokio::time::timeout(
                    wait(),
                    client.request("send_message", &json!({ "content": content }).to_string()),
                )
                .await
                .expect("an answer in time")
            }
        }))
        .await;
        for (n, answer) in answers.into_iter().enumerate() {
            let answer = answer.unwrap_or_else(|e| panic!("socket {n} of {project}: {e}"));
            assert!(
                answer.contains(r#""ok":true"#),
                "socket {n} of {project}: {answer}"
            );
        }
    }
}
