import { DTYPE_BYTES, elementCount, type RawTensor } from './rawTensor';
import { readZip } from './zipArchive';

/**
 * PyTorch's `torch.save(model.state_dict())` file (a zip holding data.pkl and one file per storage) read
 * without executing anything: a restricted unpickler that interprets the opcodes a state_dict's pickle
 * uses and knows only the globals it needs — collections.OrderedDict, torch._utils._rebuild_tensor_v2 and
 * _rebuild_parameter, and the storage types. Any other global (os.system, builtins.eval, …), an opcode it
 * does not know, a storage shorter than its tensor or a dtype it does not know is refused by name. The
 * references for what the pickle holds: torch/serialization.py (persistent_id, _load) and torch/_utils.py.
 */

const STORAGE_DTYPES: Record<string, string> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

class Global {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get full(): string {
    return `${this.module}.${this.name}`;
  }
}
class Mark {}
interface StorageRef {
  kind: 'storage';
  dtype: string;
  key: string;
  numel: number;
}
interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

const ALLOWED = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
]);

/** The state_dict of a .pth file: every tensor by its key, in the file's order. */
export function readTorchStateDict(file: Uint8Array, what = 'The weight file'): Map<string, RawTensor> {
  const entries = readZip(file, what);
  const pkl = [...entries.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl) throw new Error(`${what} is a zip but not a PyTorch checkpoint (no <name>/data.pkl inside).`);
  const root = pkl.slice(0, -'data.pkl'.length);
  const order = entries.get(`${root}byteorder`);
  if (order && new TextDecoder().decode(order.read()).trim() !== 'little')
    throw new Error(`${what} was saved big-endian; only little-endian checkpoints are read.`);
  const value = unpickle(entries.get(pkl)!.read(), what);
  if (!(value instanceof Map))
    throw new Error(`${what} holds a pickled ${describe(value)}, not a state_dict (torch.save(model.state_dict())).`);
  const storages = new Map<string, Uint8Array>();
  const out = new Map<string, RawTensor>();
  for (const [name, t] of value as Map<unknown, unknown>) {
    if (typeof name !== 'string' || !isTensor(t))
      throw new Error(`${what}: the state_dict entry ${String(name)} is not a tensor.`);
    const { storage, offset, shape, stride } = t;
    const size = DTYPE_BYTES[storage.dtype];
    let bytes = storages.get(storage.key);
    if (!bytes) {
      const entry = entries.get(`${root}data/${storage.key}`);
      if (!entry) throw new Error(`${what}: ${name}'s storage ${storage.key} is missing from the archive.`);
      bytes = entry.read();
      if (bytes.length < storage.numel * size)
        throw new Error(
          `${what}: ${name}'s storage ${storage.key} is truncated (${bytes.length} bytes for ${storage.numel} ${storage.dtype} values).`,
        );
      storages.set(storage.key, bytes);
    }
    const n = elementCount(shape);
    // A state_dict tensor never holds more values than its storage (a stride-0 expansion would, and would
    // be allocated in full below): refused before any allocation.
    if (n > storage.numel)
      throw new Error(
        `${what}: ${name} (shape [${shape.join(', ')}]) has more values than its storage holds (${storage.numel}).`,
      );
    // The last element the tensor reaches, through its strides, must lie inside its storage.
    const last = offset + shape.reduce((a, d, i) => a + (d > 0 ? (d - 1) * stride[i] : 0), 0);
    if (n > 0 && (offset < 0 || last >= storage.numel))
      throw new Error(`${what}: ${name} (shape [${shape.join(', ')}]) reaches past the end of its storage.`);
    out.set(name, { dtype: storage.dtype, shape, bytes: gather(bytes, size, offset, shape, stride) });
  }
  return out;
}

const isTensor = (t: unknown): t is TensorRef => (t as TensorRef)?.kind === 'tensor';

function describe(v: unknown): string {
  if (v instanceof Global) return v.full;
  if (Array.isArray(v)) return 'tuple or list';
  return typeof v;
}

/** The tensor's elements in row-major order (a view when the strides are already row-major). */
function gather(bytes: Uint8Array, size: number, offset: number, shape: number[], stride: number[]): Uint8Array {
  const n = elementCount(shape);
  let expect = 1;
  let contiguous = true;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expect) contiguous = false;
    expect *= shape[i];
  }
  if (contiguous) return bytes.subarray(offset * size, (offset + n) * size);
  const out = new Uint8Array(n * size);
  const index = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let src = offset;
    for (let i = 0; i < shape.length; i++) src += index[i] * stride[i];
    out.set(bytes.subarray(src * size, src * size + size), k * size);
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++index[i] < shape[i]) break;
      index[i] = 0;
    }
  }
  return out;
}

/** The restricted unpickler: protocols 2–5, the opcodes of a state_dict, no code run. */
function unpickle(data: Uint8Array, what: string): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const text = new TextDecoder();
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let p = 0;
  const need = (n: number) => {
    if (p + n > data.length) throw new Error(`${what}: its pickle ends in the middle of an instruction (truncated).`);
  };
  const u8 = () => (need(1), data[p++]);
  const u16 = () => (need(2), (p += 2), view.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), view.getUint32(p - 4, true));
  const i32 = () => (need(4), (p += 4), view.getInt32(p - 4, true));
  const bytes = (n: number) => (need(n), (p += n), data.subarray(p - n, p));
  const line = () => {
    const end = data.indexOf(0x0a, p);
    if (end < 0) throw new Error(`${what}: its pickle ends in the middle of a name (truncated).`);
    const s = text.decode(data.subarray(p, end));
    p = end + 1;
    return s;
  };
  const pop = () => {
    if (!stack.length) throw new Error(`${what}: its pickle is malformed (an instruction found an empty stack).`);
    return stack.pop();
  };
  const popMark = () => {
    const at = stack.findLastIndex((v) => v instanceof Mark);
    if (at < 0) throw new Error(`${what}: its pickle is malformed (no mark).`);
    const items = stack.splice(at);
    items.shift();
    return items;
  };
  const global = (module: string, name: string) => {
    const g = new Global(module, name);
    if (!ALLOWED.has(g.full))
      throw new Error(
        `${what} names the Python global ${g.full}, which a state_dict never holds; it was refused (nothing in it is executed).`,
      );
    return g;
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) throw new Error(`${what}: its pickle sets items on a ${describe(target)}.`);
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new Error(`${what}: pickle protocol above 5.`);
        break;
      case 0x95: // FRAME
        bytes(8);
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        stack.push(global(String(module), String(name)));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), stack[stack.length - 1]);
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), stack[stack.length - 1]);
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, stack[stack.length - 1]);
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) throw new Error(`${what}: its pickle refers to memo ${k}, never stored.`);
        stack.push(memo.get(k));
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x28: // MARK
        stack.push(new Mark());
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(stack[stack.length - 1], [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(stack[stack.length - 1], items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        (stack[stack.length - 1] as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        (stack[stack.length - 1] as unknown[]).push(...items);
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(text.decode(bytes(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text.decode(bytes(u8())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(text.decode(bytes(u8())));
        break;
      case 0x54: // BINSTRING
        stack.push(text.decode(bytes(i32())));
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: {
        // LONG1: a little-endian two's-complement integer of n bytes
        const n = u8();
        const b = bytes(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(Number(v));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(p, false));
        p += 8;
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x51: {
        // BINPERSID: ('storage', storage_type, key, location, numel)
        const pid = pop();
        if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof Global))
          throw new Error(`${what}: its pickle refers to an external object that is not a storage.`);
        const type = pid[1].name;
        const dtype = STORAGE_DTYPES[type];
        if (!dtype) throw new Error(`${what}: a storage of type ${pid[1].full}, which is not read.`);
        if (typeof pid[2] !== 'string' || !Number.isInteger(pid[4]) || (pid[4] as number) < 0)
          throw new Error(`${what}: a storage reference is malformed.`);
        stack.push({ kind: 'storage', dtype, key: pid[2], numel: pid[4] as number } satisfies StorageRef);
        break;
      }
      case 0x52: {
        // REDUCE: only the allowed callables, each interpreted here
        const args = pop();
        const fn = pop();
        if (!(fn instanceof Global) || !Array.isArray(args))
          throw new Error(`${what}: its pickle calls something that is not an allowed global.`);
        stack.push(call(fn, args, what));
        break;
      }
      case 0x62: {
        // BUILD: a state set on the object (OrderedDict's _metadata): ignored, the object stays
        pop();
        break;
      }
      case 0x2e: // STOP
        if (stack.length !== 1) throw new Error(`${what}: its pickle ends with ${stack.length} values, not one.`);
        return stack[0];
      default:
        throw new Error(
          `${what}: its pickle uses opcode 0x${op.toString(16).padStart(2, '0')} at byte ${p - 1}, which a state_dict does not need; it was refused.`,
        );
    }
  }
}

function call(fn: Global, args: unknown[], what: string): unknown {
  switch (fn.full) {
    case 'collections.OrderedDict':
      return new Map();
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, shape, stride] = args as [StorageRef, number, number[], number[]];
      const whole = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
      if (
        (storage as StorageRef)?.kind !== 'storage' ||
        !whole(offset) ||
        !Array.isArray(shape) ||
        !Array.isArray(stride) ||
        shape.length !== stride.length ||
        !shape.every(whole) ||
        !stride.every(whole)
      )
        throw new Error(`${what}: a tensor's description is malformed.`);
      return { kind: 'tensor', storage, offset, shape, stride } satisfies TensorRef;
    }
    case 'torch._utils._rebuild_parameter':
      return args[0];
    default:
      throw new Error(`${what}: ${fn.full} cannot be called here.`);
  }
}
