// What the simulated line publishes: its equipment and each one's sensors with their nominal
// rates, as declared in config/plant.yaml (ingest rejects anything undeclared; a test holds
// this list and that file together). The simulator does not read the plant file at run
// time: it behaves like a gateway that was configured once.

export type EquipmentClass = 'uncoiler' | 'stand' | 'exit'

/** Sensor id → nominal rate in Hz at the 10 Hz base rate. */
export const CLASS_SENSORS: Readonly<Record<EquipmentClass, Readonly<Record<string, number>>>> = {
  uncoiler: {
    coil_diameter_mm: 1,
    entry_tension_kN: 10,
    speed_mps: 10,
    motor_current_A: 10,
    vibration_mm_s: 10,
    bearing_temp_C: 1,
  },
  stand: {
    roll_force_kN: 10,
    tension_kN: 10,
    speed_mps: 10,
    motor_current_A: 10,
    motor_power_kW: 10,
    roll_gap_mm: 10,
    hydraulic_pressure_bar: 10,
    vibration_mm_s: 10,
    bearing_temp_C: 1,
    work_roll_temp_C: 1,
  },
  exit: {
    thickness_um: 10,
    thickness_dev_um: 10,
    strip_speed_mps: 10,
    exit_tension_kN: 10,
    coil_diameter_mm: 1,
    flatness_IU: 1,
  },
}

export const STANDS = 5
export const EQUIPMENT: readonly (readonly [id: string, cls: EquipmentClass])[] = [
  ['uncoiler', 'uncoiler'],
  ...Array.from({ length: STANDS }, (_, i) => [`stand${i + 1}`, 'stand'] as const),
  ['exit', 'exit'],
]

/** The base rate: the plant file's fastest sensors. `--rate` scales every sensor by rate/BASE_HZ. */
export const BASE_HZ = 10
export const RATED_SPEED_MPS = 25

export const lineId = (index: number) => `tcm${index + 1}`

/** `aux_01` … `aux_K`: load-test sensors on every piece of equipment, published every tick. */
export const auxSensorIds = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `aux_${String(i + 1).padStart(2, '0')}`)

export function equipmentClass(equipment: string): EquipmentClass | undefined {
  return EQUIPMENT.find(([id]) => id === equipment)?.[1]
}

/** Whether `sensor` exists on `equipment` (auxiliary sensors count when `extra` ≥ their number). */
export function hasSensor(equipment: string, sensor: string, extra = 0): boolean {
  const cls = equipmentClass(equipment)
  if (!cls) return false
  if (sensor in CLASS_SENSORS[cls]) return true
  const m = /^aux_(\d+)$/.exec(sensor)
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= extra
}
