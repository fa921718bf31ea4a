// Products (config/products.yaml): grade → display name, optional GTIN, thickness tolerance.
// Validated like the rest of the configuration (core/config.ts): one strict schema, every
// problem reported at once with its place in the file, the result frozen. Nothing throws.
import { readFileSync, existsSync } from 'node:fs'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { z } from 'zod'
import { isFailure, normalizeGtin } from './gs1.ts'

const classId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "-" or ".", at most 64')
const grade = z.string().min(1).max(64)
const locale = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language tag such as en or zh-CN')

const bandSchema = z.strictObject({
  upTo_mm: z.number().positive().max(25),
  plusMinus_um: z.number().positive().max(5000),
})

const classSchema = z.strictObject({
  description: z.string().optional(),
  bands: z.array(bandSchema).min(1, 'at least one band'),
})

const nameSchema = z.union([
  z.string().min(1),
  z.record(locale, z.string().min(1)).refine((n) => typeof n.en === 'string', 'needs an "en" name'),
])

const GTIN_AS_STRING = 'must be a quoted string of digits (unquoted, YAML reads a number and drops leading zeros)'
const productSchema = z.strictObject({
  name: nameSchema,
  standard: z.string().min(1).optional(),
  gtin: z.string({ error: GTIN_AS_STRING }).optional(),
  tolerance: classId,
})

// The file's top level; each class and product is checked on its own below, so one bad entry
// does not hide the problems of the others (or of the cross-references between them).
const fileSchema = z.strictObject({
  toleranceClasses: z.record(classId, z.unknown()).default({}),
  defaultTolerance: classId.optional(),
  products: z.record(grade, z.unknown()).default({}),
})

export interface ToleranceBand {
  /** nominal exit thickness up to and including this (mm) */
  readonly upTo_mm: number
  /** symmetric tolerance ± (µm) */
  readonly plusMinus_um: number
}

export interface ToleranceClass {
  readonly id: string
  readonly description?: string
  /** ascending by upTo_mm */
  readonly bands: readonly ToleranceBand[]
}

export interface Product {
  readonly grade: string
  /** display names by language; always has `en` */
  readonly names: Readonly<Record<string, string>>
  readonly standard?: string
  /** GTIN-14, check digit verified */
  readonly gtin?: string
  readonly tolerance: ToleranceClass
}

export interface ProductCatalog {
  readonly products: ReadonlyMap<string, Product>
  readonly defaultTolerance?: ToleranceClass
}

export const EMPTY_CATALOG: ProductCatalog = Object.freeze({ products: new Map<string, Product>() })

/** Parsed YAML (or any value) → catalog, or every problem found. */
export function parseProducts(raw: unknown, where = 'products.yaml'): { catalog?: ProductCatalog; problems: string[] } {
  const problems: string[] = []
  const check = <T>(schema: z.ZodType<T>, value: unknown, path: string): T | undefined => {
    const r = schema.safeParse(value)
    if (r.success) return r.data
    for (const i of r.error.issues) problems.push(`${where} ${[path, ...i.path].filter((x) => x !== '').join('.') || '(root)'}: ${i.message}`)
    return undefined
  }
  const file = check(fileSchema, raw ?? {}, '')
  if (!file) return { problems }

  const classes = new Map<string, ToleranceClass>()
  for (const [id, value] of Object.entries(file.toleranceClasses)) {
    const c = check(classSchema, value, `toleranceClasses.${id}`)
    if (!c) continue
    for (let i = 1; i < c.bands.length; i++)
      if (c.bands[i].upTo_mm <= c.bands[i - 1].upTo_mm)
        problems.push(`${where} toleranceClasses.${id}.bands.${i}.upTo_mm: bands must ascend (${c.bands[i].upTo_mm} after ${c.bands[i - 1].upTo_mm})`)
    classes.set(id, Object.freeze({ id, description: c.description, bands: Object.freeze(c.bands.map((b) => Object.freeze({ ...b }))) }))
  }
  const findClass = (id: string, at: string) => {
    const c = classes.get(id)
    // A class that exists but failed its own checks has been reported already.
    if (!c && !(id in file.toleranceClasses)) problems.push(`${where} ${at}: no tolerance class "${id}" in toleranceClasses`)
    return c
  }
  const defaultTolerance = file.defaultTolerance === undefined ? undefined : findClass(file.defaultTolerance, 'defaultTolerance')

  const products = new Map<string, Product>()
  const gtinOwner = new Map<string, string>()
  for (const [g, value] of Object.entries(file.products)) {
    const p = check(productSchema, value, `products.${g}`)
    if (!p) continue
    let gtin: string | undefined
    if (p.gtin !== undefined) {
      const n = normalizeGtin(p.gtin)
      if (isFailure(n)) problems.push(`${where} products.${g}.gtin: ${n.error}`)
      else if (gtinOwner.has(n.gtin)) problems.push(`${where} products.${g}.gtin: ${n.gtin} is already the GTIN of ${gtinOwner.get(n.gtin)}`)
      else gtinOwner.set((gtin = n.gtin), g)
    }
    const tolerance = findClass(p.tolerance, `products.${g}.tolerance`)
    const names = Object.freeze(typeof p.name === 'string' ? { en: p.name } : { ...p.name })
    if (tolerance) products.set(g, Object.freeze({ grade: g, names, standard: p.standard, gtin, tolerance }))
  }
  if (problems.length) return { problems }
  return { catalog: Object.freeze({ products, defaultTolerance }), problems }
}

/** Reads and validates a products file. A missing file is an empty catalog, not an error. */
export function readProductsFile(file: string): { catalog?: ProductCatalog; problems: string[] } {
  if (!existsSync(file)) return { catalog: EMPTY_CATALOG, problems: [] }
  let raw: unknown
  try {
    raw = parseYaml(readFileSync(file, 'utf8'))
  } catch (err) {
    const at = err instanceof YAMLParseError && err.linePos ? `:${err.linePos[0].line}:${err.linePos[0].col}` : ''
    return { problems: [`${file}${at}: ${(err as Error).message.split('\n')[0]}`] }
  }
  return parseProducts(raw, file)
}

export const productFor = (catalog: ProductCatalog, grade: string | undefined): Product | undefined =>
  grade === undefined ? undefined : catalog.products.get(grade)

/** The ± tolerance (µm) for a band of nominal thickness, or undefined above the last band. */
export function bandTolerance_um(cls: ToleranceClass, target_mm: number): number | undefined {
  if (!(target_mm > 0)) return undefined
  // A tiny epsilon so that 0.4 mm computed as 0.40000000000000002 still falls in "up to 0.40".
  for (const b of cls.bands) if (target_mm <= b.upTo_mm + 1e-9) return b.plusMinus_um
  return undefined
}

/** The grade's tolerance (or the default class) at this target thickness. */
export function thicknessTolerance_um(catalog: ProductCatalog, grade: string | undefined, target_mm: number | undefined): number | undefined {
  const cls = productFor(catalog, grade)?.tolerance ?? catalog.defaultTolerance
  return cls && target_mm !== undefined ? bandTolerance_um(cls, target_mm) : undefined
}

/** `zh-CN` → its name if given, else `zh` …, else English. */
export function productName(product: Product, lang = 'en'): string {
  return product.names[lang] ?? product.names[lang.split('-')[0]] ?? product.names.en
}
