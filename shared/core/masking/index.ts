// The PHI masking engine: profiles, strategies, content detectors and result masking (pure: no I/O).

export { shiftDate, truncateToYear } from './dates.ts';
export {
  type CustomPattern,
  compileDetectors,
  contextKind,
  DEFAULT_ACCOUNT,
  DEFAULT_HEALTH_PLAN,
  DEFAULT_MRN,
  type Detection,
  type DetectorOptions,
  DetectorSet,
  detectIdentifiers,
  type IdentifierFormat,
} from './detectors.ts';
export { MaskingError, type MaskingFailure } from './errors.ts';
export { DETECTOR_KINDS, type DetectorKind, FLAG_KINDS, tagFor } from './kinds.ts';
export { columnCatalog, lineageTables, resultColumnLineage } from './lineage.ts';
export {
  type ColumnCatalog,
  type ColumnLineage,
  type CompiledMaskingProfile,
  compileMaskingProfile,
  type MaskedResult,
  type MaskingInput,
  type MaskingKeys,
  type MaskingSummary,
  maskResult,
  resolveMaskingProfile,
} from './mask.ts';
export {
  BUILTIN_PROFILE_NAMES,
  BUILTIN_PROFILES,
  type MaskingProfile,
  type MaskingProfileInput,
  MaskingProfileSchema,
  type MaskingProfiles,
  MaskingProfilesSchema,
  type MaskingStrategy,
  MaskingStrategySchema,
  STRATEGY_TYPES,
  type StrategyType,
} from './profile.ts';
export {
  dateShiftDays,
  defaultValue,
  emailMask,
  firstFour,
  lastFour,
  RESTRICTED_ZIP3,
  STRATEGIES,
  type Strategy,
  zip3,
} from './strategies.ts';
