// Files out of a drop or a picker: folders are walked (webkitGetAsEntry), each file keeps its path
// inside the dropped folder, and gets its host path where the platform gives one (Electron's
// webUtils.getPathForFile through the preload; a browser gives none, and the file is uploaded).
import type { DroppedFile } from '../../state/corpus.svelte.ts';

function hostPath(file: File): string | undefined {
  const path = window.studioFiles?.pathForFile(file);
  return path ? path : undefined;
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, out: DroppedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, name: entry.fullPath.replace(/^\//, '') || file.name, path: hostPath(file) });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns at most ~100 entries per call: read until it returns none.
    for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
      for (const child of batch) if (!child.name.startsWith('.')) await walk(child, out);
    }
  }
}

export async function filesFromDrop(data: DataTransfer): Promise<DroppedFile[]> {
  const out: DroppedFile[] = [];
  const items = [...data.items].filter((item) => item.kind === 'file');
  const entries = items.map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    for (const [i, entry] of entries.entries()) {
      // A dropped folder in Electron has a host path itself: import it whole.
      const asFile = items[i].getAsFile();
      const folderPath = entry!.isDirectory && asFile ? hostPath(asFile) : undefined;
      if (folderPath) out.push({ file: asFile!, name: entry!.name, path: folderPath });
      else await walk(entry!, out);
    }
    return out;
  }
  // Synthetic drops (and some platforms) give plain files only.
  return [...data.files].map((file) => ({ file, name: file.name, path: hostPath(file) }));
}

export function filesFromPicker(list: FileList | null): DroppedFile[] {
  return [...(list ?? [])].map((file) => ({ file, name: file.webkitRelativePath || file.name, path: hostPath(file) }));
}
