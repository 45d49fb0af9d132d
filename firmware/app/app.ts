/**
 * The platform-neutral application core: meter bytes in; snapshot, HTTP API and live pushes out.
 * Node (firmware/host) and the ESP32 (firmware/moddable) only translate to and from this API.
 *
 *   const app = createApp({
 *     clock, scheduler, settingsStore, publisher, logger,   // ports.ts
 *     randomBytes: (n) => Uint8Array,                        // salts and session tokens
 *     source?: ByteSource,          // the meter port; app.start() starts it (or feed onMeterBytes yourself)
 *     assets?: AssetSource,         // the page files (firmware/web); without it only the API is served
 *     device?: { name?, firmwareVersion?, serial?, platform? },
 *     wifiStatus?: () => ({ ssid?, strengthPercent? } | undefined),   // HomeWizard wifi_* fields ('' and 100 without it)
 *     lineOverride?: LineSettings | 'auto',  // CLI --line/--baud...: wins over stored meter.line
 *     extraRoutes?: Route[],             // e.g. provisioning; auth enforced centrally (mutates: true => session)
 *     extraUploadRoutes?: UploadRoute[], // e.g. OTA; always authenticated
 *     outputs?: SnapshotOutput[],        // MQTT, Modbus meter emulation, charger pushes (outputs/output-port.ts)
 *     options?: { passwordIterations?, noDataAfterMs?, noFrameAfterMs?, tickMs? },
 *   });
 *   app.start();                                   // settings loaded at create; starts source + 1 s tick
 *   await app.handle(request: AppRequest)          // -> AppResponse (every route, auth, static page)
 *   app.uploadRoute(method, path)                  // -> UploadRoute | undefined (server checks before reading a body)
 *   app.beginUpload(route, request)                // -> UploadSink | AppResponse (auth + size checked here)
 *   app.canRead(request)                           // may this client read live data?
 *   app.liveRefusal(request)                       // -> AppResponse | undefined: may this WebSocket upgrade proceed (Host, Origin, read)?
 *   app.onMeterBytes(bytes, nowMs)                 // feed meter bytes (sources started by app.start call this)
 *   app.snapshot()                                 // fresh Snapshot object (GET /api/v1/status body)
 *   app.framesDecoded()                            // count of good frames so far (cheap; for health checks)
 *   app.liveMessage()                              // the text pushed over the WebSocket: {"type":"snapshot","snapshot":{...}}
 *   app.settings()                                 // copy of the full settings document (secrets included: core use only)
 *   app.updateSettings(change)                     // change(doc copy) -> new doc | error string; validated, saved atomically
 *   app.tick()                                     // what the 1 s timer does (tests call it with a fake clock)
 *   app.stop()
 *
 * Data flow: bytes -> MeterLink (MeterStream, counters, raw ring) -> checkReading (plausibility)
 * -> ReadingMerger and stepHeadroom -> snapshot -> publisher.broadcast on every decoded frame and on
 * every headroom or link change.
 *
 * On XS: no module-level mutable state here (everything lives in the closure), published JSON is
 * built from fresh objects at call time.
 */
import { createHeadroomState, stepHeadroom } from '../../decoders/headroom/index';
import { checkReading } from '../../decoders/plausibility/index';
import type { Headroom, HeadroomInput, HeadroomState } from '../../decoders/headroom/index';
import type { DecoderOptions, FrameResult } from '../../decoders/frame-result';
import type { MeterReading } from '../../decoders/reading';
import type { AppRequest, AppResponse, Route, UploadRoute, UploadSink } from './http-types';
import type { AssetSource, ByteSource, Clock, LineSettings, LivePublisher, Logger, Scheduler, SettingsStore } from './ports';
import { AccessControl } from './auth/access-control';
import type { Pbkdf2 } from './auth/password-hash';
import type { LoginThrottleOptions } from './auth/login-throttle';
import { Router } from './router';
import { applySettingsPatch, cloneJson, effectivePasswordHash, meterKeyBytes, readStoredSettings, redactSettings } from './settings';
import type { SettingsDocument, SettingsHealth } from './settings';
import { holdUnconfirmed, unconfirmedCapA } from './settings/unconfirmed-allowance';
import { errorResponse, jsonResponse, readJsonObject } from './http-util';
import { MeterLink, defaultLinkOptions } from './meter-link';
import { ReadingMerger } from './reading-merge';
import { History } from './history';
import { homeWizardData, homeWizardInfo, homeWizardSystem, homeWizardTelegram } from './homewizard';
import { AutoLine, describeLine } from './line-detection';
import { serveAsset } from './static-assets';
import { ReplayClock } from './replay-time';
import type { Snapshot } from './snapshot';
import type { SnapshotOutput } from './outputs/output-port';

export type { Snapshot } from './snapshot';

export const API_VERSION = 1;

export interface DeviceInfo {
  name?: string;
  firmwareVersion?: string;
  /** Stable per box (MAC-derived on the device); HomeWizard "serial". */
  serial?: string;
  platform?: string;
}

export interface AppOptions {
  /**
   * PBKDF2 iterations for new password hashes. Default 2000: pure-JS SHA-256 under XS costs about
   * 36 M computrons per 1000 iterations (hosttests/app/app-core-xs.test.ts prints it), so a login
   * stays in the seconds on an ESP32. The PC host asks for more. The count is stored with the hash.
   */
  passwordIterations?: number;
  noDataAfterMs?: number;
  noFrameAfterMs?: number;
  tickMs?: number;
  /** Recent raw frames kept for GET /api/v1/diagnostics (meter-link.ts; default 16, the device 8). */
  rawRingSize?: number;
}

export interface AppDeps {
  clock: Clock;
  scheduler: Scheduler;
  settingsStore: SettingsStore;
  publisher: LivePublisher;
  logger: Logger;
  randomBytes: (count: number) => Uint8Array;
  source?: ByteSource;
  assets?: AssetSource;
  device?: DeviceInfo;
  wifiStatus?: () => { ssid?: string; strengthPercent?: number } | undefined;
  lineOverride?: LineSettings | 'auto';
  extraRoutes?: Route[];
  extraUploadRoutes?: UploadRoute[];
  options?: AppOptions;
  /**
   * The platform's native CRC-16s, AES-GCM and text conversion for the decoders (the device passes
   * the SDK's; see DecoderOptions). Absent: the decoders' own JavaScript versions.
   */
  decoderNatives?: Pick<DecoderOptions, 'crc16' | 'aesGcm' | 'asciiText'>;
  /** Outputs the platform built with its adapters (outputs/output-port.ts): configured from the settings, fed every snapshot. */
  outputs?: SnapshotOutput[];
  /** Native PBKDF2 (node:crypto on the PC, the SDK's C SHA-256 on the device); the pure JavaScript one when absent. */
  pbkdf2?: Pbkdf2;
  /** Login limits for this platform (auth/login-throttle.ts); the PC's when absent. */
  loginThrottle?: LoginThrottleOptions;
  /** Names and addresses the box answers to besides loopback (mDNS name, LAN addresses, configured names): lan/host-check.ts. */
  hostNames?: () => readonly string[];
}

export interface App {
  handle(request: AppRequest): Promise<AppResponse>;
  uploadRoute(method: string, path: string): UploadRoute | undefined;
  beginUpload(route: UploadRoute, request: AppRequest): UploadSink | AppResponse;
  canRead(request: AppRequest): boolean;
  liveRefusal(request: AppRequest): AppResponse | undefined;
  onMeterBytes(bytes: Uint8Array, nowMs: number): void;
  snapshot(): Snapshot;
  framesDecoded(): number;
  liveMessage(): string;
  settings(): SettingsDocument;
  updateSettings(change: (doc: SettingsDocument) => SettingsDocument | string): { ok: true } | { ok: false; error: string };
  tick(): void;
  start(): void;
  stop(): void;
}

export function createApp(deps: AppDeps): App {
  const { clock, logger } = deps;
  const options = deps.options ?? {};
  const startedMs = clock.nowMs();
  const device = {
    name: deps.device?.name ?? 'meterbox',
    firmwareVersion: deps.device?.firmwareVersion ?? '0.1.0',
    serial: deps.device?.serial ?? 'meterbox',
    platform: deps.device?.platform,
  };

  const loaded = loadSettings(deps.settingsStore, logger);
  let doc: SettingsDocument = loaded.doc;
  let health: SettingsHealth = loaded.health;

  function saveDoc(next: SettingsDocument): string | undefined {
    // Locked: the stored document could not be read; writing would replace it (and could store
    // "no password"). Nothing is written until the owner repairs or removes it.
    if (health.locked) return lockMessage(health, deps.settingsStore);
    try {
      // Compact on purpose: XS indents an empty object differently from V8, and the stored bytes
      // should be the same on both.
      deps.settingsStore.save(JSON.stringify(next));
    } catch (e) {
      return 'could not store settings: ' + (e instanceof Error ? e.message : String(e));
    }
    const keysChanged = next.meter.encryptionKey !== doc.meter.encryptionKey || next.meter.authenticationKey !== doc.meter.authenticationKey;
    const lineChanged = JSON.stringify(next.meter.line) !== JSON.stringify(doc.meter.line);
    doc = next;
    // What is stored now is what the owner saved: the safe allowance compares with this fuse.
    health.storedFuseA = next.headroom.fuseA;
    configureOutputs();
    if (keysChanged) link.setDecoderOptions(decoderOptions());
    if (lineChanged && deps.lineOverride === undefined) applyLineMode();
    // New settings change headroom right away; push it.
    recomputeHeadroom(undefined);
    broadcast();
    return undefined;
  }

  const access = new AccessControl({
    clock,
    randomBytes: deps.randomBytes,
    passwordIterations: options.passwordIterations ?? 2000,
    pbkdf2: deps.pbkdf2,
    throttle: deps.loginThrottle,
    store: {
      passwordHash: () => effectivePasswordHash(doc, health),
      readOpen: () => doc.access.readOpen,
      savePasswordHash: (hash) => {
        const next = cloneJson(doc);
        next.access.passwordHash = hash;
        return saveDoc(next);
      },
    },
  });

  const nativeNames = describeDecoderNatives(deps.decoderNatives);

  function decoderOptions(): DecoderOptions {
    const o: DecoderOptions = { ...deps.decoderNatives };
    const enc = meterKeyBytes(doc.meter.encryptionKey);
    const auth = meterKeyBytes(doc.meter.authenticationKey);
    if (enc) o.encryptionKey = enc;
    if (auth) o.authenticationKey = auth;
    return o;
  }

  const link = new MeterLink(decoderOptions(), startedMs, {
    ...defaultLinkOptions,
    noDataAfterMs: options.noDataAfterMs ?? defaultLinkOptions.noDataAfterMs,
    noFrameAfterMs: options.noFrameAfterMs ?? defaultLinkOptions.noFrameAfterMs,
    rawRingSize: options.rawRingSize ?? defaultLinkOptions.rawRingSize,
  });
  const merger = new ReadingMerger();
  const history = new History();
  let headroomState: HeadroomState = createHeadroomState();
  let headroom: Headroom = publishable(stepHeadroom(headroomState, { nowMs: startedMs }, doc.headroom).headroom);
  let lastBroadcastKey = '';
  let lastSourceError: string | undefined;
  let detector: AutoLine | undefined;
  let fixedLine: LineSettings | undefined;
  let timer: { cancel(): void } | undefined;
  /** The last good plain DSMR telegram, "/" .. "!" (GET /api/v1/telegram). */
  let lastTelegram: Uint8Array | undefined;
  const outputs = deps.outputs ?? [];
  const replayClock = deps.source?.restampsMeterTime ? new ReplayClock() : undefined;

  /** The source's own error while it is not open: the link diagnosis names it (meter-link.ts). */
  function sourceProblem(): string | undefined {
    return lastSourceError !== undefined && !deps.source?.connected?.() ? lastSourceError : undefined;
  }

  /** An output's failure is logged and never reaches meter reading or the API. */
  function eachOutput(what: string, action: (output: SnapshotOutput) => void): void {
    for (const output of outputs) {
      try {
        action(output);
      } catch (e) {
        logger.warn('output ' + output.name + ' ' + what + ' failed: ' + (e instanceof Error ? e.message : String(e)));
      }
    }
  }

  function configureOutputs(): void {
    eachOutput('configure', (output) => output.configure(cloneJson(doc)));
  }

  function feedOutputs(nowMs: number): void {
    if (outputs.length === 0) return;
    const current = snapshot();
    eachOutput('update', (output) => output.update(current, nowMs));
  }

  /** The chargers' own measured currents (outputs that drive one), summed per line; undefined when none. */
  function outputsChargerA(nowMs: number): [number, number, number] | undefined {
    let sum: [number, number, number] | undefined;
    eachOutput('chargerCurrentA', (output) => {
      const own = output.chargerCurrentA?.(nowMs);
      if (own) sum = sum ? [sum[0] + own[0], sum[1] + own[1], sum[2] + own[2]] : [own[0], own[1], own[2]];
    });
    return sum;
  }

  function applyLineMode(): void {
    const mode = deps.lineOverride ?? doc.meter.line;
    detector = undefined;
    fixedLine = undefined;
    if (mode === 'auto') {
      detector = new AutoLine((line) => {
        logger.info('line auto-detection: trying ' + describeLine(line));
        deps.source?.setLineSettings?.(line);
      }, decoderOptions());
    } else if (mode) {
      fixedLine = mode;
      deps.source?.setLineSettings?.(mode);
    }
  }

  /** Steps the engine; returns the frame as the engine checked it (undefined when it failed). */
  function recomputeHeadroom(reading: MeterReading | undefined): MeterReading | undefined {
    const nowMs = clock.nowMs();
    try {
      const input: HeadroomInput = reading ? { nowMs, reading } : { nowMs };
      const chargerA = outputsChargerA(nowMs);
      if (chargerA) input.chargerA = chargerA;
      const result = stepHeadroom(headroomState, input, doc.headroom);
      headroomState = result.state;
      headroom = publishable(result.headroom);
      return result.reading;
    } catch (e) {
      // Fail safe: an engine error must never leave an old (possibly high) allowance standing.
      // Publish 0 A and start the engine's state over, so the next good frame rebuilds it.
      const message = e instanceof Error ? e.message : String(e);
      logger.warn('headroom step failed: ' + message);
      headroomState = createHeadroomState();
      headroom = zeroHeadroom(headroom, 'headroom engine error (' + message + '): allowing 0 A until the next good frame');
      return undefined;
    }
  }

  /** The engine's answer as published: held safe while damaged settings wait for the owner. */
  function publishable(h: Headroom): Headroom {
    if (!health.confirmRequired) return h;
    return holdUnconfirmed(h, unconfirmedCapA(doc.headroom.fuseA, health.storedFuseA, doc.headroom.minChargeA));
  }

  function minHeadroomA(h: Headroom): number | undefined {
    const values = [h.phases.l1, h.phases.l2, h.phases.l3].filter((p) => p && typeof p.headroomA === 'number').map((p) => p.headroomA);
    return values.length ? Math.min(...values) : undefined;
  }

  function onFrame(result: FrameResult & { ok: true }, nowMs: number): void {
    // The snapshot (and every output) gets the frame as the engine checked it (decoders/plausibility):
    // a value that failed is absent there, never served as if measured. Should the engine fail,
    // the check runs on its own; a frame that cannot be checked is not published.
    lastTelegram = result.format === 'dsmr' ? result.raw.slice() : undefined;
    detector?.onFrame(nowMs);
    let r = recomputeHeadroom(result.reading);
    if (!r) {
      try {
        r = checkReading(result.reading, doc.headroom, nowMs).reading;
      } catch (e) {
        logger.warn('plausibility check failed: ' + (e instanceof Error ? e.message : String(e)));
      }
    }
    if (r) merger.add(r, nowMs);
    const netPowerW = !r || (r.powerImportW === undefined && r.powerExportW === undefined) ? undefined : (r.powerImportW ?? 0) - (r.powerExportW ?? 0);
    history.add({ tMs: nowMs, netPowerW, minHeadroomA: minHeadroomA(headroom) });
    broadcast();
    feedOutputs(nowMs);
  }

  function onMeterBytes(bytes: Uint8Array, nowMs: number): void {
    lastSourceError = undefined;
    link.push(
      bytes,
      nowMs,
      (result) => onFrame(replayClock ? { ...result, reading: replayClock.restamp(result.reading, nowMs, doc.headroom) } : result, nowMs),
      (result) => detector?.onResult(result),
    );
    detector?.onBytes(bytes, nowMs);
  }

  function snapshot(): Snapshot {
    const nowMs = clock.nowMs();
    const reading = merger.merged(nowMs) ?? null;
    const latest = merger.latestReading();
    const ageMs = merger.latestAgeMs(nowMs);
    const diagnosis = link.diagnose(nowMs, sourceProblem());
    const format = link.detectedFormat();
    const meter: Snapshot['meter'] = {};
    if (reading) {
      meter.protocol = reading.protocol;
      if (format) meter.format = format;
      if (reading.meterId !== undefined) meter.id = reading.meterId;
      if (reading.meterModel !== undefined) meter.model = reading.meterModel;
      if (reading.manufacturer !== undefined) meter.manufacturer = reading.manufacturer;
      if (reading.listId !== undefined) meter.listId = reading.listId;
      if (reading.dsmrVersion !== undefined) meter.dsmrVersion = reading.dsmrVersion;
      if (reading.meterTime !== undefined) meter.meterTime = reading.meterTime;
    }
    const linkInfo: Snapshot['link'] = { state: diagnosis.state, lineMode: detector ? 'auto' : fixedLine ? 'fixed' : 'n/a' };
    if (diagnosis.hint) linkInfo.hint = diagnosis.hint;
    if (deps.source) {
      linkInfo.source = deps.source.describe();
      linkInfo.sourceKind = deps.source.kind;
      if (deps.source.connected) linkInfo.connected = deps.source.connected();
    }
    if (detector) linkInfo.line = describeLine(detector.current()) + (detector.locked() ? '' : ' (searching)');
    else if (fixedLine) linkInfo.line = describeLine(fixedLine);
    if (lastSourceError) linkInfo.lastError = lastSourceError;
    const deviceOut: Snapshot['device'] = { name: device.name, firmwareVersion: device.firmwareVersion, uptimeS: Math.round((nowMs - startedMs) / 1000) };
    if (device.platform) deviceOut.platform = device.platform;
    if (nativeNames.length > 0) deviceOut.natives = nativeNames;
    const out: Snapshot = {
      apiVersion: API_VERSION,
      timeMs: nowMs,
      device: deviceOut,
      meter,
      reading,
      readingAgeS: ageMs === undefined ? null : Math.round(ageMs / 100) / 10,
      lastFrameKind: latest ? (latest.frameKind === 'short' ? 'short' : 'full') : null,
      headroom: cloneJson(headroom),
      frames: link.counters(nowMs),
      link: linkInfo,
    };
    if (health.state !== 'ok' || health.confirmRequired || health.locked) out.settings = cloneJson(health);
    if (outputs.length > 0) {
      const states: Record<string, Record<string, unknown>> = {};
      for (const output of outputs) {
        try {
          states[output.name] = output.status();
        } catch (e) {
          states[output.name] = { error: e instanceof Error ? e.message : String(e) };
        }
      }
      out.outputs = states;
    }
    return out;
  }

  function healthReport(): Record<string, unknown> {
    const report: Record<string, unknown> = cloneJson(health) as unknown as Record<string, unknown>;
    if (health.locked) report.howToUnlock = lockMessage(health, deps.settingsStore);
    return report;
  }

  function liveMessage(): string {
    return JSON.stringify({ type: 'snapshot', snapshot: snapshot() });
  }

  function broadcast(): void {
    lastBroadcastKey = changeKey();
    if (deps.publisher.clientCount() === 0) return;
    try {
      deps.publisher.broadcast(liveMessage());
    } catch (e) {
      logger.warn('publish failed: ' + (e instanceof Error ? e.message : String(e)));
    }
  }

  /** What a tick compares to decide whether something worth pushing changed (ages excluded). */
  function changeKey(): string {
    const h = cloneJson(headroom) as unknown as Record<string, unknown>;
    delete h.ageS;
    const d = link.diagnose(clock.nowMs(), sourceProblem());
    return JSON.stringify(h) + '|' + d.state + '|' + (detector ? describeLine(detector.current()) : '');
  }

  function tick(): void {
    const nowMs = clock.nowMs();
    detector?.onTick(nowMs);
    recomputeHeadroom(undefined);
    if (changeKey() !== lastBroadcastKey) broadcast();
    feedOutputs(nowMs);
  }

  const hostNames = deps.hostNames;
  const router = new Router(access, (request) => serveAsset(deps.assets, request), hostNames ? { ownNames: hostNames } : undefined);
  for (const route of access.routes()) {
    // While locked, say why instead of "wrong password" or "a password is already set".
    const locking = route.method === 'POST' && route.path !== '/api/v1/auth/logout';
    router.add(
      locking
        ? { ...route, handler: (r) => (health.locked ? errorResponse(423, lockMessage(health, deps.settingsStore), { locked: true }) : route.handler(r)) }
        : route,
    );
  }

  router.add({ method: 'GET', path: '/api/v1/status', handler: () => jsonResponse(200, snapshot()) });
  router.add({ method: 'GET', path: '/api/v1/history', handler: () => jsonResponse(200, { points: history.points() }) });
  router.add({ method: 'GET', path: '/api/v1/settings', handler: () => jsonResponse(200, redactSettings(doc)) });
  router.add({
    method: 'PUT',
    path: '/api/v1/settings',
    mutates: true,
    handler: (request) => {
      const body = readJsonObject(request);
      if (!body.ok) return body.response;
      const result = applySettingsPatch(doc, body.value);
      if (!result.ok) return errorResponse(400, result.errors.join('; '), { errors: result.errors });
      const failure = saveDoc(result.value);
      if (failure) return errorResponse(500, failure);
      return jsonResponse(200, redactSettings(doc));
    },
  });
  // Public: a locked box must be able to tell anyone at the page why nobody can log in.
  router.add({ method: 'GET', path: '/api/v1/settings/health', public: true, handler: () => jsonResponse(200, healthReport()) });
  router.add({
    method: 'POST',
    path: '/api/v1/settings/confirm',
    mutates: true,
    handler: () => {
      // The owner has looked at the settings the box uses now: store them as they are, end the
      // safe allowance. The kept-aside original stays where it is.
      const failure = saveDoc(cloneJson(doc));
      if (failure) return errorResponse(500, failure);
      const confirmed: SettingsHealth = { state: 'ok', problems: [], notes: [], confirmRequired: false, locked: false, storedFuseA: doc.headroom.fuseA };
      if (health.keptAs !== undefined) confirmed.keptAs = health.keptAs;
      health = confirmed;
      logger.info('settings: confirmed by the owner; safe allowance ended');
      recomputeHeadroom(undefined);
      broadcast();
      return jsonResponse(200, healthReport());
    },
  });
  router.add({
    method: 'GET',
    path: '/api/v1/diagnostics',
    handler: () => {
      const nowMs = clock.nowMs();
      const diagnosis = link.diagnose(nowMs, sourceProblem());
      const body: Record<string, unknown> = {
        apiVersion: API_VERSION,
        timeMs: nowMs,
        link: snapshot().link,
        hint: diagnosis.hint ?? null,
        detectedFormat: link.detectedFormat() ?? null,
        frames: link.counters(nowMs),
        sourceCounters: deps.source?.counters ? deps.source.counters() : {},
        recentFrames: link.recentFrames(),
        lineDetection: detector ? detector.status() : fixedLine ? { mode: 'fixed', line: describeLine(fixedLine) } : { mode: 'n/a' },
        routes: router.list(),
      };
      return jsonResponse(200, body);
    },
  });
  // HomeWizard P1 local API v1 (firmware/app/homewizard.ts). /api is public like the real
  // device's; the data routes are read routes (open while access.readOpen, the default).
  const hwContext = () => {
    const wifi = deps.wifiStatus?.();
    return { serial: device.serial, firmwareVersion: device.firmwareVersion, wifiSsid: wifi?.ssid ?? '', wifiStrengthPercent: wifi?.strengthPercent ?? 100 };
  };
  router.add({ method: 'GET', path: '/api', public: true, handler: () => jsonResponse(200, homeWizardInfo(hwContext())) });
  router.add({
    method: 'GET',
    path: '/api/v1/data',
    handler: () => {
      const data = homeWizardData(snapshot(), hwContext(), doc.homewizard);
      return data.ok ? jsonResponse(200, data.body) : errorResponse(503, data.error);
    },
  });
  router.add({ method: 'GET', path: '/api/v1/system', handler: () => jsonResponse(200, homeWizardSystem()) });
  router.add({
    method: 'GET',
    path: '/api/v1/telegram',
    handler: () => {
      if (lastTelegram) return { status: 200, headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' }, body: homeWizardTelegram(lastTelegram) };
      const format = link.detectedFormat();
      return errorResponse(
        404,
        format && format !== 'dsmr'
          ? `no DSMR telegram: this meter sends ${format === 'dsmr-encrypted' ? 'encrypted P1' : 'HAN (DLMS)'} frames; /api/v1/telegram is for plain P1 meters`
          : 'no DSMR telegram received yet',
      );
    },
  });

  for (const route of deps.extraRoutes ?? []) router.add(route);
  for (const upload of deps.extraUploadRoutes ?? []) router.addUpload(upload);

  applyLineMode();
  configureOutputs();

  return {
    handle: (request) => router.handle(request),
    uploadRoute: (method, path) => router.uploadRoute(method, path),
    beginUpload: (route, request) => router.beginUpload(route, request),
    canRead: (request) => access.canRead(request),
    liveRefusal: (request) => router.liveRefusal(request),
    onMeterBytes,
    snapshot,
    framesDecoded: () => link.framesDecoded(),
    liveMessage,
    settings: () => cloneJson(doc),
    updateSettings(change) {
      const next = change(cloneJson(doc));
      if (typeof next === 'string') return { ok: false, error: next };
      // Same checks as a stored document gets at start-up: nothing invalid is ever saved.
      const checked = readStoredSettings(JSON.stringify(next));
      if (checked.health.problems.length) return { ok: false, error: checked.health.problems.join('; ') };
      if (next.version !== 1) return { ok: false, error: 'version must be 1' };
      const failure = saveDoc(checked.doc);
      return failure ? { ok: false, error: failure } : { ok: true };
    },
    tick,
    start() {
      if (timer) return;
      timer = deps.scheduler.every(options.tickMs ?? 1000, tick);
      deps.source?.start(
        (bytes, nowMs) => onMeterBytes(bytes, nowMs),
        (message) => {
          // Sources retry every few seconds: log a failure once, not at every retry.
          if (message !== lastSourceError) logger.warn('meter source: ' + message);
          lastSourceError = message;
        },
      );
    },
    stop() {
      timer?.cancel();
      timer = undefined;
      deps.source?.stop();
      eachOutput('stop', (output) => output.stop());
    },
  };
}

/** The previous answer with every allowance at 0 A: what the app publishes when the engine fails. */
function zeroHeadroom(previous: Headroom, reason: string): Headroom {
  const phase = (p: Headroom['phases']['l1']) => ({ limitA: p.limitA, currentSource: 'unknown' as const, headroomA: 0 });
  return {
    status: 'no-data',
    limitedBy: 'engine-error',
    reason,
    phases: { l1: phase(previous.phases.l1), l2: phase(previous.phases.l2), l3: phase(previous.phases.l3) },
    threePhaseA: 0,
    onePhaseA: 0,
  };
}

/** Names of the natives in use, for the status document (so a box shows it runs the fast path). */
function describeDecoderNatives(natives: AppDeps['decoderNatives']): string[] {
  const names: string[] = [];
  if (natives?.crc16?.arc) names.push('crc16-arc');
  if (natives?.crc16?.x25) names.push('crc16-x25');
  if (natives?.aesGcm) names.push('aes-gcm');
  if (natives?.asciiText) names.push('ascii-text');
  return names;
}

/**
 * Loads and reads the stored settings. Anything but a clean read keeps the original aside first
 * (SettingsStore.keepAside), so no later save can lose it, and logs every problem.
 */
function loadSettings(store: SettingsStore, logger: Logger): { doc: SettingsDocument; health: SettingsHealth } {
  let text: string | undefined;
  let loadError: string | undefined;
  try {
    text = store.load();
  } catch (e) {
    loadError = e instanceof Error ? e.message : String(e);
  }
  const read = readStoredSettings(text, loadError);
  const health = read.health;
  if (health.state !== 'ok' || health.locked) {
    try {
      const kept = store.keepAside?.();
      if (kept !== undefined) health.keptAs = kept;
    } catch (e) {
      health.problems.push('the original could not be copied aside (' + (e instanceof Error ? e.message : String(e)) + '): it is left untouched where it is');
    }
    logger.warn(`settings ${health.state}${health.keptAs ? ' (original kept as ' + health.keptAs + ')' : ''}: ${health.problems.join('; ')}`);
    if (health.locked) logger.warn('settings locked: ' + lockMessage(health, store));
    else if (health.confirmRequired)
      logger.warn('settings: the allowance is held safe until the owner confirms the settings (POST /api/v1/settings/confirm or the banner on the page)');
  }
  for (const note of health.notes) logger.info('settings: ' + note);
  return read;
}

/** What a locked box tells the person at the page, and how the owner unlocks it. */
function lockMessage(health: SettingsHealth, store: SettingsStore): string {
  const where = store.describe ? store.describe() : 'the stored settings';
  return (
    'the stored settings could not be read, so whether a password is set cannot be told: logins, first setup and changes are locked' +
    (health.keptAs ? `; the original is kept as ${health.keptAs}` : '') +
    `. To unlock, the owner repairs or removes ${where} and restarts the box (docs/provisioning-ota.md, "Damaged settings")`
  );
}
