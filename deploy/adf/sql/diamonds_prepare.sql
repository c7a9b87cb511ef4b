DROP TABLE IF EXISTS "diamonds_adf_staging";
CREATE TABLE "diamonds_adf_staging" (
  adf_record bigint GENERATED ALWAYS AS IDENTITY,
  "carat" text,
  "cut" text,
  "color" text,
  "clarity" text,
  "depth" text,
  "table" text,
  "price" text,
  "x" text,
  "y" text,
  "z" text
);
