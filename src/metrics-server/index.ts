/** The embedded Prometheus-compatible server: config, scrapers, HTTP API. */
export { loadMetricsConfig, parseMetricsConfig, type MetricsConfig, type ScrapeJobConfig, type TargetConfig } from './config.js';
export { createMetricsApp, type MetricsApp, type MetricsAppOptions } from './app.js';
export { startMetricsServer, type MetricsServerOptions, type RunningMetricsServer } from './server.js';
export { handleApiRequest, formatValue, type ApiContext, type ApiResponse } from './api.js';
export { ScrapeLoop, scrapeOnce, nextScrapeAt, systemClock, type ScrapeClock, type TargetStatus } from './scraper.js';
