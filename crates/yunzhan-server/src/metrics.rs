//! `GET /metrics` in Prometheus' text format: requests and their latency by
//! route and status, inquiries stored, database errors, and the catalog
//! this replica serves. Labels hold route templates, never values, so no
//! personal data and no unbounded label sets.

use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CatalogLabels {
    catalog_version: String,
    etag: String,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms … about 16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
    inquiries_stored: Counter,
    database_errors: Counter,
    catalog: Family<CatalogLabels, Gauge>,
    /// The labels of the catalog now served, to clear on a change.
    served_catalog: Mutex<Option<CatalogLabels>>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("yunzhan");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let inquiries_stored = Counter::default();
        let database_errors = Counter::default();
        let catalog = Family::<CatalogLabels, Gauge>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by method, route template and status",
            latency.clone(),
        );
        registry.register(
            "inquiries_stored",
            "Inquiries newly stored by this replica (replays not counted)",
            inquiries_stored.clone(),
        );
        registry.register(
            "database_errors",
            "Database operations that failed",
            database_errors.clone(),
        );
        registry.register(
            "catalog",
            "The catalog this replica serves (value 1, identified by its labels)",
            catalog.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            inquiries_stored,
            database_errors,
            catalog,
            served_catalog: Mutex::new(None),
        }
    }
}

impl Metrics {
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let labels = RequestLabels {
            method: method.into(),
            route: route.into(),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    pub fn inquiry_stored(&self) {
        self.inquiries_stored.inc();
    }

    pub fn database_error(&self) {
        self.database_errors.inc();
    }

    pub fn serving_catalog(&self, catalog_version: &str, etag: &str) {
        let labels = CatalogLabels {
            catalog_version: catalog_version.into(),
            etag: etag.into(),
        };
        let mut served = self
            .served_catalog
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(old) = served.take() {
            self.catalog.remove(&old);
        }
        self.catalog.get_or_create(&labels).set(1);
        *served = Some(labels);
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}
