//! `/metrics` in Prometheus (OpenMetrics) text: launches by result and error code, request
//! latency by route and status class, and the database pool (read from
//! [`Store::pool_state`](crate::store::Store::pool_state) when rendering). Counts only; no
//! label ever carries a user, a token or a URL from a request.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::store::PoolState;

/// The media type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Request latency buckets (seconds): the launch goal is p99 under 10 ms.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
];

/// Labels of the launch counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LaunchLabels {
    /// `accept`, `accept_pending`, `relaunch`, `reject`, `redirect`…
    result: String,
    /// The error code of `spec/lti.md` §4, empty when there is none.
    code: String,
}

/// Labels of the latency histogram.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The route template (`/lti/launch`), never the raw path.
    route: String,
    /// `2xx`, `4xx`…
    status: String,
}

/// Labels of the score send counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SendLabels {
    /// `sent`, `retry`, `superseded`, `parked`, `lost`.
    result: String,
}

/// The server's metrics. Share one behind an `Arc`; recording takes `&self`.
pub struct Metrics {
    registry: Registry,
    launches: Family<LaunchLabels, Counter>,
    requests: Family<RequestLabels, Histogram, fn() -> Histogram>,
    pool_size: Gauge,
    pool_idle: Gauge,
    score_sends: Family<SendLabels, Counter>,
    outbox_depth: Gauge,
    outbox_oldest_age: Gauge,
    outbox_parked: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

impl Metrics {
    /// Empty metrics, every family registered under the `cairn_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("cairn");
        let launches = Family::<LaunchLabels, Counter>::default();
        registry.register(
            "lti_launches",
            "LTI logins and launches by result and error code",
            launches.clone(),
        );
        let requests = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register_with_unit(
            "http_request_duration",
            "HTTP request latency by route and status class",
            Unit::Seconds,
            requests.clone(),
        );
        let pool_size = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_size.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections",
            pool_idle.clone(),
        );
        let score_sends = Family::<SendLabels, Counter>::default();
        registry.register(
            "ags_score_sends",
            "Score outbox sends by result (sent, retry, superseded, parked, lost)",
            score_sends.clone(),
        );
        let outbox_depth = Gauge::default();
        registry.register(
            "ags_outbox_depth",
            "Scores queued and not yet sent (pending or being sent)",
            outbox_depth.clone(),
        );
        let outbox_oldest_age = Gauge::default();
        registry.register_with_unit(
            "ags_outbox_oldest_pending_age",
            "Age of the oldest unsent score (0 when none)",
            Unit::Seconds,
            outbox_oldest_age.clone(),
        );
        let outbox_parked = Gauge::default();
        registry.register(
            "ags_outbox_parked",
            "Scores parked with a reason, waiting for an admin",
            outbox_parked.clone(),
        );
        Metrics {
            registry,
            launches,
            requests,
            pool_size,
            pool_idle,
            score_sends,
            outbox_depth,
            outbox_oldest_age,
            outbox_parked,
        }
    }

    /// Counts one score outbox send by its result (`sent`, `retry`, …).
    pub fn record_score_send(&self, result: &str) {
        self.score_sends
            .get_or_create(&SendLabels {
                result: result.to_owned(),
            })
            .inc();
    }

    /// Sets the outbox gauges from the store's counts at `now` (Unix seconds).
    pub fn set_outbox(&self, stats: &crate::store::outbox::OutboxStats, now: i64) {
        self.outbox_depth.set(stats.depth);
        self.outbox_parked.set(stats.parked);
        self.outbox_oldest_age.set(
            stats
                .oldest_pending_created_at
                .map_or(0, |created| (now - created).max(0)),
        );
    }

    /// Counts one login or launch outcome: `result` as in the fixtures (`accept`, `reject`…)
    /// and the error `code` of `spec/lti.md` §4 (`None` when it succeeded).
    pub fn record_launch(&self, result: &str, code: Option<&str>) {
        self.launches
            .get_or_create(&LaunchLabels {
                result: result.to_owned(),
                code: code.unwrap_or_default().to_owned(),
            })
            .inc();
    }

    /// Records one answered request: `route` is the matched route template (bounded, never
    /// the raw path), `status` the HTTP status (kept as its class, `2xx`…).
    pub fn observe_request(&self, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                status: status_class(status).to_owned(),
            })
            .observe(seconds);
    }

    /// The exposition text, with the pool gauges set from `pool`.
    pub fn render(&self, pool: &PoolState) -> String {
        self.pool_size.set(i64::from(pool.size));
        self.pool_idle.set(i64::from(pool.idle));
        let mut text = String::new();
        // Writing into a String cannot fail; an encoder error would leave the text partial.
        if encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

/// `2xx`, `3xx`, `4xx`, `5xx`; anything else is `other`.
fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        500..=599 => "5xx",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_value(text: &str, prefix: &str) -> Option<f64> {
        text.lines()
            .find(|line| line.starts_with(prefix))
            .and_then(|line| line.rsplit_once(' '))
            .and_then(|(_, value)| value.parse().ok())
    }

    #[test]
    fn launches_are_counted_by_result_and_code() {
        let metrics = Metrics::new();
        metrics.record_launch("accept", None);
        metrics.record_launch("reject", Some("nonce_reused"));
        metrics.record_launch("reject", Some("nonce_reused"));
        metrics.record_launch("reject", Some("bad_signature"));
        let text = metrics.render(&PoolState::default());
        assert!(
            text.contains("# TYPE cairn_lti_launches counter\n"),
            "{text}"
        );
        assert_eq!(
            line_value(
                &text,
                "cairn_lti_launches_total{result=\"reject\",code=\"nonce_reused\"}"
            ),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            line_value(
                &text,
                "cairn_lti_launches_total{result=\"reject\",code=\"bad_signature\"}"
            ),
            Some(1.0)
        );
        assert_eq!(
            line_value(
                &text,
                "cairn_lti_launches_total{result=\"accept\",code=\"\"}"
            ),
            Some(1.0)
        );
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn request_latency_is_a_histogram_by_route_and_status_class() {
        let metrics = Metrics::new();
        metrics.observe_request("/lti/launch", 200, 0.004);
        metrics.observe_request("/lti/launch", 201, 0.03);
        metrics.observe_request("/lti/launch", 401, 0.0007);
        let text = metrics.render(&PoolState::default());
        assert!(
            text.contains("# TYPE cairn_http_request_duration_seconds histogram\n"),
            "{text}"
        );
        assert!(text.contains("# UNIT cairn_http_request_duration_seconds seconds\n"));
        let ok = "cairn_http_request_duration_seconds";
        assert_eq!(
            line_value(
                &text,
                &format!("{ok}_count{{route=\"/lti/launch\",status=\"2xx\"}}")
            ),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            line_value(
                &text,
                &format!("{ok}_bucket{{le=\"0.005\",route=\"/lti/launch\",status=\"2xx\"}}")
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            line_value(
                &text,
                &format!("{ok}_bucket{{le=\"0.05\",route=\"/lti/launch\",status=\"2xx\"}}")
            ),
            Some(2.0)
        );
        assert_eq!(
            line_value(
                &text,
                &format!("{ok}_count{{route=\"/lti/launch\",status=\"4xx\"}}")
            ),
            Some(1.0)
        );
        let sum = line_value(
            &text,
            &format!("{ok}_sum{{route=\"/lti/launch\",status=\"2xx\"}}"),
        )
        .unwrap();
        assert!((sum - 0.034).abs() < 1e-9, "{sum}");
    }

    #[test]
    fn pool_gauges_show_the_state_passed_to_render() {
        let metrics = Metrics::new();
        let text = metrics.render(&PoolState { size: 5, idle: 3 });
        assert_eq!(
            line_value(&text, "cairn_db_pool_connections "),
            Some(5.0),
            "{text}"
        );
        assert_eq!(
            line_value(&text, "cairn_db_pool_idle_connections "),
            Some(3.0)
        );
        let text = metrics.render(&PoolState { size: 2, idle: 0 });
        assert_eq!(line_value(&text, "cairn_db_pool_connections "), Some(2.0));
        assert_eq!(
            line_value(&text, "cairn_db_pool_idle_connections "),
            Some(0.0)
        );
    }

    #[test]
    fn outbox_gauges_and_sends() {
        let metrics = Metrics::new();
        metrics.record_score_send("sent");
        metrics.record_score_send("sent");
        metrics.record_score_send("parked");
        let stats = crate::store::outbox::OutboxStats {
            depth: 7,
            parked: 2,
            oldest_pending_created_at: Some(100),
        };
        metrics.set_outbox(&stats, 130);
        let text = metrics.render(&PoolState::default());
        let sends = "cairn_ags_score_sends_total";
        assert_eq!(
            line_value(&text, &format!("{sends}{{result=\"sent\"}}")),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            line_value(&text, &format!("{sends}{{result=\"parked\"}}")),
            Some(1.0)
        );
        assert_eq!(line_value(&text, "cairn_ags_outbox_depth "), Some(7.0));
        assert_eq!(line_value(&text, "cairn_ags_outbox_parked "), Some(2.0));
        assert_eq!(
            line_value(&text, "cairn_ags_outbox_oldest_pending_age_seconds "),
            Some(30.0)
        );
    }

    #[test]
    fn label_values_are_escaped() {
        let metrics = Metrics::new();
        metrics.record_launch("reject", Some("odd\"code\n"));
        let text = metrics.render(&PoolState::default());
        assert!(text.contains(r#"code="odd\"code\n""#), "{text}");
    }

    #[test]
    fn status_classes() {
        assert_eq!(status_class(204), "2xx");
        assert_eq!(status_class(302), "3xx");
        assert_eq!(status_class(499), "4xx");
        assert_eq!(status_class(503), "5xx");
        assert_eq!(status_class(42), "other");
    }
}
