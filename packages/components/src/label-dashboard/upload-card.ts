// The Details tab's "Upload images" card (Azure mode: the host gave the dashboard an `upload`
// function, e.g. `uploadFiles` from @labelkit/core/azure bound to its container and project): pick
// files or a folder, choose the prefix, watch the progress bar, cancel, read what happened.
import { html, nothing } from 'lit';
import { emit } from '../events.js';
import type { DashboardContext } from './context.js';
import { progress } from './charts.js';

/**
 * Progress of an upload, as `uploadFiles` reports it: structurally `UploadProgress` of
 * @labelkit/core/azure, declared here so the components' types never pull in that subpath's
 * optional @azure/storage-blob types (a host without Azure still typechecks).
 */
export interface DashboardUploadProgress {
  readonly phase: string;
  readonly files: number;
  readonly filesDone: number;
  readonly bytes: number;
  readonly bytesDone: number;
  readonly uploaded: number;
  readonly alreadyThere: number;
  readonly conflicts: number;
  readonly failed: number;
}

/** What an upload reports at the end (the part of `UploadReport` the card shows). */
export interface DashboardUploadReport {
  readonly uploaded: number;
  readonly alreadyThere: number;
  readonly unsupported: { readonly count: number };
  readonly overCap: { readonly count: number };
  readonly conflicts: readonly { readonly path: string; readonly message: string }[];
  readonly failed: readonly { readonly path: string; readonly message: string }[];
  readonly refresh?: { readonly added: number; readonly total: number };
}

/**
 * Uploads files into the team's container under `prefix` and refreshes the project from there —
 * `(files, o) => uploadFiles(store, files, { ...o, project })` with `@labelkit/core/azure`.
 */
export type DashboardUpload = (
  files: readonly File[],
  options: { readonly prefix: string; readonly signal: AbortSignal; readonly onProgress: (p: DashboardUploadProgress) => void },
) => Promise<DashboardUploadReport>;

const ACCEPT = '.jpg,.jpeg,.png,.jpe,.jfif,.bmp,.tif,.tiff,.dcm,.dicom';

export class UploadCard {
  #files: File[] = [];
  #prefix = `uploads/${new Date().toISOString().slice(0, 10)}/`;
  #progress: DashboardUploadProgress | undefined;
  #report: DashboardUploadReport | undefined;
  #abort: AbortController | undefined;

  constructor(private readonly c: DashboardContext) {}

  #set(change: () => void): void {
    change();
    this.c.host.requestUpdate();
  }

  /** Cancels an upload in flight (the element goes); running it again resumes it. */
  stop(): void {
    this.#abort?.abort();
  }

  #pick(e: Event): void {
    const input = e.target as HTMLInputElement;
    this.#set(() => {
      this.#files = [...(input.files ?? [])];
      this.#report = undefined;
      this.#progress = undefined;
    });
  }

  async #upload(upload: DashboardUpload): Promise<void> {
    const abort = new AbortController();
    this.#set(() => {
      this.#abort = abort;
      this.#report = undefined;
    });
    try {
      const report = await upload(this.#files, { prefix: this.#prefix, signal: abort.signal, onProgress: (p) => this.#set(() => (this.#progress = p)) });
      this.#set(() => (this.#report = report));
      this.c.notify(`Uploaded ${report.uploaded} image${report.uploaded === 1 ? '' : 's'}${report.alreadyThere ? ` (${report.alreadyThere} already there)` : ''}.`);
      emit(this.c.host, 'label-upload-complete', {
        uploaded: report.uploaded,
        alreadyThere: report.alreadyThere,
        conflicts: report.conflicts.length,
        failed: report.failed.length,
      });
    } catch (err) {
      if (!abort.signal.aborted) this.c.commands.fail(err, 'upload');
      else this.c.notify('Upload cancelled; upload the same files again to resume.');
    } finally {
      this.#set(() => (this.#abort = undefined));
    }
  }

  render(upload: DashboardUpload) {
    const running = !!this.#abort;
    const p = this.#progress;
    const r = this.#report;
    return html`<div part="card upload-card" class="card upload-card">
      <h2>Upload images</h2>
      <p class="small muted">Local images go into the project's container, then the project is refreshed from there. A second upload of the same files sends only what is missing.</p>
      <div class="row">
        <label>Files <input type="file" name="upload-files" multiple accept=${ACCEPT} ?disabled=${running} @change=${(e: Event) => this.#pick(e)} /></label>
        <label>Folder <input type="file" name="upload-folder" webkitdirectory ?disabled=${running} @change=${(e: Event) => this.#pick(e)} /></label>
      </div>
      <label>Into folder <input name="upload-prefix" .value=${this.#prefix} ?disabled=${running} @input=${(e: Event) => (this.#prefix = (e.target as HTMLInputElement).value)} /></label>
      <div class="row">
        <button part="button" class="primary upload" ?disabled=${running || !this.#files.length} @click=${() => this.#upload(upload)}>
          Upload ${this.#files.length ? `${this.#files.length} file${this.#files.length === 1 ? '' : 's'}` : ''}
        </button>
        ${running ? html`<button part="button" class="cancel-upload" @click=${() => this.stop()}>Cancel</button>` : nothing}
      </div>
      ${
        p
          ? html`<div part="upload-progress" class="upload-progress" data-phase=${p.phase}>
            ${progress(p.bytesDone, p.bytes || 1, `${p.filesDone.toLocaleString()} of ${p.files.toLocaleString()} files (${mib(p.bytesDone)} of ${mib(p.bytes)})${p.phase === 'refreshing' ? ', refreshing the project…' : ''}`)}
          </div>`
          : nothing
      }
      ${r ? this.#summary(r) : nothing}
    </div>`;
  }

  #summary(r: DashboardUploadReport) {
    const lines = [
      `${r.uploaded} uploaded`,
      r.alreadyThere ? `${r.alreadyThere} already there` : '',
      r.unsupported.count ? `${r.unsupported.count} not images (left out)` : '',
      r.overCap.count ? `${r.overCap.count} over the 500,000-item cap (left out)` : '',
      r.refresh ? `${r.refresh.added} new items, ${r.refresh.total} in all` : '',
    ].filter(Boolean);
    const problems = [...r.conflicts, ...r.failed];
    return html`<div class="upload-report" role="status">
      <p class="small">${lines.join(' · ')}</p>
      ${problems.length ? html`<ul class="small error-text">${problems.slice(0, 10).map((x) => html`<li>${x.path}: ${x.message}</li>`)}</ul>` : nothing}
    </div>`;
  }
}

function mib(n: number): string {
  return n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`;
}
