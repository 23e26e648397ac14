//! The fake's own endpoints under `/_mock/` and the count of requests in flight: a document's
//! download URL serves its bytes without the API key but only with its signature, the stats
//! report the most requests in flight, and none of it counts as an API or unmatched request.

use std::time::Duration;

use anam::{CreateKnowledgeGroup, Upload, UploadDocument};
use anam_mock::MockServer;

fn client(mock: &MockServer) -> anam::Client {
    anam::Client::builder().base_url(mock.base_url()).api_key(mock.api_key()).build().unwrap()
}

#[tokio::test]
async fn the_most_requests_in_flight_are_counted_and_reset() {
    let mock = MockServer::builder().latency(Duration::from_millis(50)).start().await.unwrap();
    let client = client(&mock);
    let gets = (0..5).map(|_| client.avatars().list(anam::ListAvatars::new()));
    let answers = futures::future::join_all(gets).await;
    assert!(answers.iter().all(Result::is_ok));
    assert_eq!((mock.max_in_flight(), mock.in_flight()), (5, 0), "five at once, none left");
    mock.reset_max_in_flight();
    assert_eq!(mock.max_in_flight(), 0);
    client.avatars().list(anam::ListAvatars::new()).await.unwrap();
    assert_eq!(mock.max_in_flight(), 1, "one after another");
}

#[tokio::test]
async fn a_download_url_serves_the_document_with_its_signature_only() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let group = client.knowledge_groups().create(CreateKnowledgeGroup::new("Handbook")).await.unwrap();
    let bytes = "Open 9 to 5.\n\u{0}binary too".as_bytes();
    let upload = UploadDocument::new(Upload::bytes("hours.md", bytes.to_vec()));
    let document = client.knowledge_groups().upload(&group.id, upload).await.unwrap();
    let download = client.knowledge_documents().download_url(&document.id).await.unwrap();
    let url = download.download_url.expose_secret().to_owned();
    assert!(url.starts_with(&format!("{}/_mock/storage/knowledge/{}?", mock.base_url(), document.id)), "{url}");
    let (api_requests, unmatched) = (mock.total_requests(), mock.unmatched_requests());

    let plain = reqwest::Client::new();
    let answer = plain.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 200, "no API key needed");
    assert_eq!(answer.headers()["content-type"], "text/markdown");
    assert_eq!(answer.bytes().await.unwrap().as_ref(), bytes);
    let forged = url.rsplit_once('=').map(|(head, _)| format!("{head}=forged")).unwrap();
    assert_eq!(plain.get(&forged).send().await.unwrap().status(), 403);
    let unsigned = url.split('?').next().unwrap();
    assert_eq!(plain.get(unsigned).send().await.unwrap().status(), 403);
    let unknown = format!("{}/_mock/storage/knowledge/nothing?X-Amz-Signature=x", mock.base_url());
    assert_eq!(plain.get(&unknown).send().await.unwrap().status(), 404);

    let stats: serde_json::Value =
        plain.get(format!("{}/_mock/stats", mock.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["requests"], api_requests);
    assert_eq!(stats["unmatched"], unmatched);
    assert_eq!(stats["inFlight"], 0, "a stats request is not counted in flight");
    assert!(stats["maxInFlight"].as_u64().unwrap() >= 1);
    let reset = plain.post(format!("{}/_mock/stats/reset", mock.base_url())).send().await.unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(mock.max_in_flight(), 0);
    let other = plain.get(format!("{}/_mock/nothing", mock.base_url())).send().await.unwrap();
    assert_eq!(other.status(), 404);
    assert_eq!((mock.total_requests(), mock.unmatched_requests()), (api_requests, unmatched), "none is an API request");
}
