// The calibration's data shapes are domain types: the database layer reads and writes them too.
export * from '../../../shared/domain/calibration';
