using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SyntheticItemsAndGenerators : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "synthetic_generator_id",
                table: "items",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "synthetic_label",
                table: "items",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "synthetic_seed",
                table: "items",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "generators",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    field = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    labels = table.Column<string>(type: "jsonb", nullable: false),
                    image_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    image_side = table.Column<int>(type: "integer", nullable: false),
                    channels = table.Column<int>(type: "integer", nullable: false),
                    settings = table.Column<string>(type: "jsonb", nullable: false),
                    train_count = table.Column<int>(type: "integer", nullable: false),
                    held_out_count = table.Column<int>(type: "integer", nullable: false),
                    epochs_done = table.Column<int>(type: "integer", nullable: false),
                    curve = table.Column<string>(type: "jsonb", nullable: false),
                    health = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    health_reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    collapsed_classes = table.Column<string>(type: "jsonb", nullable: false),
                    evaluation = table.Column<string>(type: "jsonb", nullable: false),
                    weights_file_id = table.Column<Guid>(type: "uuid", nullable: true),
                    checkpoint_file_id = table.Column<Guid>(type: "uuid", nullable: true),
                    job_run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    trained_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    training_seconds = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_generators", x => x.id);
                    table.ForeignKey(
                        name: "fk_generators_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_generators_stored_files_checkpoint_file_id",
                        column: x => x.checkpoint_file_id,
                        principalTable: "stored_files",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_generators_stored_files_weights_file_id",
                        column: x => x.weights_file_id,
                        principalTable: "stored_files",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_items_synthetic_generator_id",
                table: "items",
                column: "synthetic_generator_id");

            migrationBuilder.CreateIndex(
                name: "ix_generators_checkpoint_file_id",
                table: "generators",
                column: "checkpoint_file_id");

            migrationBuilder.CreateIndex(
                name: "ix_generators_job_run_id",
                table: "generators",
                column: "job_run_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_generators_project_id_version",
                table: "generators",
                columns: new[] { "project_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_generators_weights_file_id",
                table: "generators",
                column: "weights_file_id");

            migrationBuilder.AddForeignKey(
                name: "fk_items_generators_synthetic_generator_id",
                table: "items",
                column: "synthetic_generator_id",
                principalTable: "generators",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_items_generators_synthetic_generator_id",
                table: "items");

            migrationBuilder.DropTable(
                name: "generators");

            migrationBuilder.DropIndex(
                name: "ix_items_synthetic_generator_id",
                table: "items");

            migrationBuilder.DropColumn(
                name: "synthetic_generator_id",
                table: "items");

            migrationBuilder.DropColumn(
                name: "synthetic_label",
                table: "items");

            migrationBuilder.DropColumn(
                name: "synthetic_seed",
                table: "items");
        }
    }
}
